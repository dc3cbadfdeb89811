package scheduler

import (
	"context"
	"errors"

	"slices"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestRunRetryDoesNotIdleAWorker: a job that failed transiently on worker
// A waits for another worker, but the jobs queued behind it must still be
// able to run on A (no head-of-line blocking). The failure marks A down,
// so the pool's probe brings it back at once.
func TestRunRetryDoesNotIdleAWorker(t *testing.T) {
	p := jobsOf("j1 amd64", "j2 amd64", "j3 amd64")
	f := newFakeExec()
	j3started := f.startedCh("j3/amd64")
	f.hook = func(ctx context.Context, w workers.Worker, j *Job) error {
		switch {
		case j.ID == "j1/amd64" && w.Name == "A":
			return Transient(errors.New("connection reset"))
		case j.ID == "j2/amd64":
			// B stays busy until j3 starts; the timeout only keeps a
			// scheduler with the bug from hanging the test.
			select {
			case <-j3started:
			case <-time.After(5 * time.Second):
			case <-ctx.Done():
			}
		}
		return nil
	}
	ws := []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "amd64")}
	pool := NewPool(ws, PoolOptions{Probe: func(context.Context, workers.Worker) error { return nil }, Backoff: time.Millisecond})
	defer pool.Drain(context.Background())
	r := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), p)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	start, end := slices.Index(f.log, "start j3/amd64@A"), slices.Index(f.log, "end j2/amd64")
	if start < 0 || start > end {
		t.Errorf("j3 did not run on A while B was busy with j2 and j1 avoided A: %v", f.log)
	}
}
