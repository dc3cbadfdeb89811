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

// Observe is told of each sync, publish and run: here, those of a
// library without jobs, which need no worker and no registry. A run's
// event comes once it is stored, with the commit it planned.
func TestRunEvents(t *testing.T) {
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
	events := make(chan Event, 100) // never full: Observe must not block
	d, err := New(Options{Source: repo.Dir, Poll: time.Hour, Sources: sources, Engine: e, Store: st, Logs: logs,
		Publish: engine.PublishOptions{To: "127.0.0.1:1/library"}, Observe: func(ev Event) { events <- ev }})
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
	// until collects the events up to one of kind last.
	until := func(last EventKind) []Event {
		t.Helper()
		var got []Event
		for {
			select {
			case ev := <-events:
				if ev.Time.IsZero() {
					t.Errorf("%s event without a time", ev.Kind)
				}
				got = append(got, ev)
				if ev.Kind == last {
					return got
				}
			case <-time.After(time.Minute):
				t.Fatalf("no %s event; got %+v", last, got)
				return nil
			}
		}
	}
	noPublish := map[string]int{"written": 0, "up to date": 0, "blocked": 0, "failed": 0}
	ignore := cmpopts.IgnoreFields(Event{}, "Time", "Took", "Run")
	check := func(name string, got, want []Event) {
		t.Helper()
		if diff := cmp.Diff(want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", name, diff)
		}
	}

	got := until(RunEnded)
	check("first sync", got, []Event{{Kind: Synced, Commit: first}, {Kind: Published, Indexes: noPublish}, {Kind: RunEnded}})
	r1 := got[len(got)-1].Run
	d.Sync()
	check("a sync without a new commit", until(Synced), []Event{{Kind: Synced, Commit: first}})
	second := repo.CommitNodes(library, sourcetest.File("README", "2"))
	d.Sync()
	got = until(RunEnded)
	check("a new commit", got, []Event{{Kind: Synced, Commit: second}, {Kind: Published, Indexes: noPublish}, {Kind: RunEnded}})
	r2 := got[len(got)-1].Run
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
