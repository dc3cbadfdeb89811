package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/scheduler"
)

// ExampleEngine_Build_daemon is how a build-farm daemon builds with
// [engine.BuildOptions]: each attempt at a job logged to a file of its
// own, and a job that failed recently held back until its backoff ends
// (a job already staged is never held back: it builds nothing). It needs
// a farm, so it is not run.
func ExampleEngine_Build_daemon() {
	ctx := context.Background()
	var e *engine.Engine     // made once, as in the package example
	var plan *scheduler.Plan // of the library's new commit
	var mu sync.Mutex
	attempts := map[string]int{}          // by job id
	retryAt := map[string]time.Time{}     // by build id
	logs := "/var/log/brewkit-serve/jobs" // SOURCE-ID/ARCH.ATTEMPT.log
	errBackoff := errors.New("in backoff")

	b, err := e.Build(ctx, plan, engine.BuildOptions{
		Logs: func(ctx context.Context, job *scheduler.Job) (io.WriteCloser, error) {
			mu.Lock()
			attempts[job.ID]++
			n := attempts[job.ID]
			mu.Unlock()
			dir := filepath.Join(logs, job.SourceID)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err // noted in the display; the job is built anyway
			}
			return os.Create(filepath.Join(dir, fmt.Sprintf("%s.%d.log", job.Arch, n)))
		},
		Admit: func(job *scheduler.Job, buildID string) error {
			mu.Lock()
			defer mu.Unlock()
			if t := retryAt[buildID]; time.Now().Before(t) {
				return fmt.Errorf("%w until %s", errBackoff, t.Format(time.RFC3339))
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, o := range b.Report.Outcomes {
		// A failed job's result has its build id too; one held back
		// failed with Admit's error, and stays in the backoff it is in.
		if o.Status == scheduler.Failed && o.Result.BuildID != "" && !errors.Is(o.Err, errBackoff) {
			retryAt[o.Result.BuildID] = time.Now().Add(time.Hour)
		}
	}
}
