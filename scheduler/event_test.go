package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// Observe hears each job's events in order: ready (when asked for) once
// its parents are done, started, retry for a failed attempt, ended; a
// job that never runs only ends. The fields callers read before Kind keep
// their meaning: a start has Status Pending, a retry has Retry set.
func TestRunEvents(t *testing.T) {
	for _, tc := range []struct {
		ready bool
		want  []string
	}{
		{false, []string{
			"bad ended", "gone ended",
			"a started", "a retry", "a started", "a ended",
			"b started", "b ended",
		}},
		{true, []string{
			"bad ended", "gone ended", "a ready",
			"a started", "a retry", "a started", "a ended",
			"b ready", "b started", "b ended",
		}},
	} {
		t.Run(map[bool]string{false: "default", true: "ObserveReady"}[tc.ready], func(t *testing.T) {
			p := jobsOf("bad amd64", "gone amd64 bad", "a amd64", "b amd64 a")
			p.Jobs[0].Err = errors.New("bad Dockerfile")
			f := newFakeExec()
			f.hook = func(_ context.Context, w workers.Worker, j *Job) error {
				if j.ID == "a/amd64" && w.Name == "A" {
					return Transient(errors.New("connection reset"))
				}
				return nil
			}
			var got []string
			observe := func(e Event) {
				o := e.Outcome
				name, _, _ := strings.Cut(o.Job.ID, "/")
				got = append(got, name+" "+e.Kind.String())
				start := o.Status == Pending && !e.Retry
				if start != (e.Kind == JobStarted || e.Kind == JobReady) || e.Retry != (e.Kind == JobRetry) {
					t.Errorf("%s %s: Status %s, Retry %t", name, e.Kind, o.Status, e.Retry)
				}
				if e.Kind == JobStarted && (!o.End.IsZero() || o.Worker == "") {
					t.Errorf("%s started: End %v, Worker %q; want no end, a worker", name, o.End, o.Worker)
				}
			}
			ws := []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "amd64")}
			rep := (&Runner{Workers: ws, Exec: f, Observe: observe, ObserveReady: tc.ready}).Run(context.Background(), p)
			if n := rep.Count(Built); n != 2 {
				t.Fatalf("%d built, want a and b: %v", n, statuses(rep))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("events\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{JobReady: "ready", JobStarted: "started", JobRetry: "retry", JobEnded: "ended", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("EventKind(%d) = %q, want %q", int(k), got, want)
		}
	}
}
