package serve

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// jobEvent is what TestJobEvents checks of an Event.
type jobEvent struct {
	Kind            EventKind
	Job, State      string
	Outcome         string
	Attempts, Fails int
	Worker, Error   string
	Waited, Timed   bool // Queued <= Start; Start <= End, both set
	HasQueue        bool
}

func summarize(t *testing.T, ev Event) jobEvent {
	if ev.Time.IsZero() {
		t.Errorf("%s event of %s without a time", ev.Kind, ev.Job.ID)
	}
	j := ev.Job
	return jobEvent{Kind: ev.Kind, Job: j.ID, State: j.State, Outcome: ev.Outcome, Attempts: j.Attempts, Fails: j.Failures,
		Worker: j.Worker, Error: j.Error, Waited: ev.Kind == JobStarted && !j.Queued.IsZero() && !j.Start.Before(j.Queued),
		Timed:    ev.Kind == JobEnded && !j.Start.IsZero() && !j.End.Before(j.Start),
		HasQueue: !j.Queued.IsZero()}
}

// TestJobEvents drives a daemon's state through the scheduler's events
// of two runs of a parent and its child (the child fails, after a retry
// on another worker), and checks the events Observe is told: one per
// change of kind of state, each with the job after the change.
func TestJobEvents(t *testing.T) {
	d := newTestDaemon(t)
	parent := &scheduler.Job{ID: "p/amd64", Arch: "amd64", Tags: []string{"base:1"}}
	child := &scheduler.Job{ID: "c/amd64", Arch: "amd64", Tags: []string{"app:1"}, Parents: []scheduler.Edge{{From: "base:1", Job: parent}}}
	parent.Children = []*scheduler.Job{child}
	var mu sync.Mutex
	var got []jobEvent
	st := newState(&scheduler.Plan{Jobs: []*scheduler.Job{parent, child}}, "c0ffee", 0, func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, summarize(t, ev))
	})
	observe := d.observe(st)
	po := &scheduler.Outcome{Job: parent}
	co := &scheduler.Outcome{Job: child}
	start := func(o *scheduler.Outcome, worker string) {
		o.Status, o.Worker, o.Start, o.End = scheduler.Pending, worker, time.Now(), time.Time{}
		o.Attempts++
		observe(scheduler.Event{Kind: scheduler.JobStarted, Outcome: o})
	}
	end := func(o *scheduler.Outcome, status scheduler.Status, err error) {
		o.Status, o.Err, o.End = status, err, time.Now()
		observe(scheduler.Event{Kind: scheduler.JobEnded, Outcome: o})
	}
	lost := errors.New("worker lost")
	broken := errors.New("exit code: 1")

	st.begin(1)
	start(po, "w1")
	end(po, scheduler.Built, nil)
	start(co, "w1")
	co.Err = lost
	observe(scheduler.Event{Kind: scheduler.JobRetry, Outcome: co, Retry: true})
	start(co, "w2")
	end(co, scheduler.Failed, broken)
	d.finish(st, &scheduler.Report{Outcomes: []*scheduler.Outcome{po, co}}) // the child backs off: no event
	if sj, _ := st.job(child); sj.State != StateBackoff || sj.Failures != 1 {
		t.Errorf("the child after the run: %s after %d failures; want backoff after 1", sj.State, sj.Failures)
	}
	st.begin(2) // the parent is queued again, the child waits

	want := []jobEvent{
		{Kind: JobQueued, Job: "p/amd64", State: StateQueued, HasQueue: true},
		{Kind: JobStarted, Job: "p/amd64", State: StateRunning, Attempts: 1, Worker: "w1", Waited: true, HasQueue: true},
		{Kind: JobEnded, Job: "p/amd64", State: StateSucceeded, Outcome: "built", Attempts: 1, Worker: "w1", Timed: true, HasQueue: true},
		{Kind: JobQueued, Job: "c/amd64", State: StateQueued, HasQueue: true},
		{Kind: JobStarted, Job: "c/amd64", State: StateRunning, Attempts: 1, Worker: "w1", Waited: true, HasQueue: true},
		{Kind: JobQueued, Job: "c/amd64", State: StateQueued, Attempts: 1, Worker: "w1", Error: "worker lost", HasQueue: true},
		{Kind: JobStarted, Job: "c/amd64", State: StateRunning, Attempts: 2, Worker: "w2", Error: "worker lost", Waited: true, HasQueue: true},
		{Kind: JobEnded, Job: "c/amd64", State: StateFailed, Outcome: "failed", Attempts: 2, Fails: 1, Worker: "w2", Error: "exit code: 1", Timed: true, HasQueue: true},
		{Kind: JobQueued, Job: "p/amd64", State: StateQueued, Attempts: 1, Worker: "w1", HasQueue: true},
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestJobEventKind checks which changes of state make an event.
func TestJobEventKind(t *testing.T) {
	tests := []struct {
		was, now string
		want     EventKind // "" for none
	}{
		{StateWaiting, StateQueued, JobQueued},
		{StateSucceeded, StateQueued, JobQueued},
		{StateRunning, StateQueued, JobQueued},
		{StateQueued, StateQueued, ""},
		{StateQueued, StateRunning, JobStarted},
		{StateRunning, StateSucceeded, JobEnded},
		{StateRunning, StateBackoff, JobEnded},
		{StateQueued, StateSkipped, JobEnded},
		{StateFailed, StateBackoff, ""},
		{StateBackoff, StateFailed, ""},
		{StateRunning, StateWaiting, ""},
		{StateQueued, StateWaiting, ""},
	}
	for _, tt := range tests {
		got, ok := jobEventKind(tt.was, tt.now)
		if ok != (tt.want != "") || ok && got != tt.want {
			t.Errorf("%s to %s: %q, %v; want %q", tt.was, tt.now, got, ok, tt.want)
		}
	}
}

// Observers tells every observer every event, in order, and leaves nil
// ones out.
func TestObservers(t *testing.T) {
	var got []string
	obs := Observers(func(ev Event) { got = append(got, "a "+string(ev.Kind)) }, nil, func(ev Event) { got = append(got, "b "+string(ev.Kind)) })
	obs(Event{Kind: Synced})
	obs(Event{Kind: RunEnded, Run: store.Run{ID: 1}})
	if diff := cmp.Diff([]string{"a synced", "b synced", "a run-ended", "b run-ended"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
