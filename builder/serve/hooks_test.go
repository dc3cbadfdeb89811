package serve

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// OnRunEnd is told of each run once it is stored, with the commit it
// planned: here, the runs of a library without jobs, which need no
// worker and no registry.
func TestOnRunEnd(t *testing.T) {
	t.Parallel()
	repo := sourcetest.NewRepo(t, t.TempDir())
	library := sourcetest.Dir("library", sourcetest.File("empty", "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\n"))
	first := repo.CommitNodes(library, sourcetest.File("README", "1"))
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	target, err := engine.Farm([]workers.Worker{{Name: "amd64", Address: "unix:///nowhere.sock", Arches: []string{"amd64"}, Concurrency: 1}}, "127.0.0.1:1", "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs, err := store.NewLogs(filepath.Join(dir, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan store.Run, 2)
	d, err := New(Options{Source: repo.Dir, Poll: time.Hour, Sources: sources, Engine: e, Store: st, Logs: logs,
		Publish: engine.PublishOptions{To: "127.0.0.1:1/library"}, OnRunEnd: func(r store.Run) { ended <- r }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	wait := func() store.Run {
		t.Helper()
		select {
		case r := <-ended:
			return r
		case <-time.After(time.Minute):
			t.Fatal("no run ended")
			return store.Run{}
		}
	}

	r1 := wait()
	second := repo.CommitNodes(library, sourcetest.File("README", "2"))
	d.Sync()
	r2 := wait()
	if r1.Commit != first || r2.Commit != second || r2.ID <= r1.ID || r1.End.IsZero() || r1.Err != "" || r2.Err != "" {
		t.Errorf("runs %+v then %+v; want commit %s then %s, without error", r1, r2, first, second)
	}
	stored, err := st.Runs(2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.Run{r2, r1}, stored, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("runs told (-) and stored (+):\n%s", diff)
	}
}
