package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// jobsOf builds a linked plan from "name arch [parent...]" specs; the
// job "x" has the tag "x:1".
func jobsOf(specs ...string) *Plan {
	var jobs []*Job
	for _, s := range specs {
		f := strings.Fields(s)
		j := &Job{ID: f[0] + "/" + f[1], Arch: f[1], Tags: []string{f[0] + ":1"}}
		for _, parent := range f[2:] {
			j.Froms = append(j.Froms, parent+":1")
		}
		jobs = append(jobs, j)
	}
	link(jobs, "")
	return &Plan{Jobs: jobs}
}

// fakeExec is an Executor with knobs: a per-job hook, and a log of what
// ran where, with concurrency per worker tracked.
type fakeExec struct {
	mu      sync.Mutex
	hook    func(ctx context.Context, w workers.Worker, j *Job) error
	log     []string // "start NAME@WORKER", "end NAME"
	running map[string]int
	peak    map[string]int
	started map[string]chan struct{}
}

func newFakeExec() *fakeExec {
	return &fakeExec{running: map[string]int{}, peak: map[string]int{}, started: map[string]chan struct{}{}}
}

func (f *fakeExec) startedCh(id string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started[id] == nil {
		f.started[id] = make(chan struct{})
	}
	return f.started[id]
}

func (f *fakeExec) Build(ctx context.Context, w workers.Worker, j *Job, parents []ParentResult) (Result, error) {
	f.mu.Lock()
	f.log = append(f.log, "start "+j.ID+"@"+w.Name)
	f.running[w.Name]++
	f.peak[w.Name] = max(f.peak[w.Name], f.running[w.Name])
	f.mu.Unlock()
	if ch := f.startedCh(j.ID); !isClosed(ch) {
		close(ch)
	}
	defer func() {
		f.mu.Lock()
		f.running[w.Name]--
		f.log = append(f.log, "end "+j.ID)
		f.mu.Unlock()
	}()
	for _, p := range parents {
		if p.Ref != "ref-"+p.Job.ID {
			return Result{}, fmt.Errorf("%s got parent result %q for %s", j.ID, p.Ref, p.Job.ID)
		}
	}
	if f.hook != nil {
		if err := f.hook(ctx, w, j); err != nil {
			return Result{BuildID: "id-" + j.ID}, err // an executor may know the build id of a failed build
		}
	}
	return Result{Ref: "ref-" + j.ID, Digest: "sha256:" + j.ID}, nil
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func worker(name string, slots int, arches ...string) workers.Worker {
	return workers.Worker{Name: name, Arches: arches, Concurrency: slots}
}

func statuses(r *Report) map[string]string {
	m := map[string]string{}
	for _, o := range r.Outcomes {
		m[o.Job.ID] = o.Status.String()
	}
	return m
}

func TestRunRespectsEdgesAndSlots(t *testing.T) {
	p := jobsOf("a amd64", "b amd64 a", "c amd64 a", "d amd64 b c", "a arm64v8", "b arm64v8 a", "e arm64v8")
	f := newFakeExec()
	f.hook = func(ctx context.Context, _ workers.Worker, _ *Job) error { time.Sleep(time.Millisecond); return nil }
	r := (&Runner{Workers: []workers.Worker{worker("x86", 2, "amd64"), worker("arm", 1, "arm64v8")}, Exec: f}).Run(context.Background(), p)
	if err := r.Err(); err != nil {
		t.Fatal(err, statuses(r))
	}
	// every job starts after all its parents ended
	started := map[string]int{}
	ended := map[string]int{}
	for i, l := range f.log {
		verb, id, _ := strings.Cut(l, " ")
		id, _, _ = strings.Cut(id, "@")
		if verb == "start" {
			started[id] = i
		} else {
			ended[id] = i
		}
	}
	for _, j := range p.Jobs {
		for _, e := range j.Parents {
			if ended[e.Job.ID] > started[j.ID] {
				t.Errorf("%s started before its parent %s ended: %v", j.ID, e.Job.ID, f.log)
			}
		}
	}
	if f.peak["x86"] > 2 || f.peak["arm"] > 1 {
		t.Errorf("slots exceeded: %v", f.peak)
	}
	if f.peak["x86"] != 2 {
		t.Errorf("x86 never ran two jobs at once: %v", f.peak)
	}
}

// A child starts as soon as its parent is done, not when every job of the
// parent's "level" is: b blocks until c (a's child) has started.
func TestRunChildDoesNotWaitForLevel(t *testing.T) {
	p := jobsOf("a amd64", "b amd64", "c amd64 a")
	f := newFakeExec()
	f.hook = func(ctx context.Context, _ workers.Worker, j *Job) error {
		if j.ID != "b/amd64" {
			return nil
		}
		select {
		case <-f.startedCh("c/amd64"):
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("c did not start while b was running")
		}
	}
	r := (&Runner{Workers: []workers.Worker{worker("x86", 2, "amd64")}, Exec: f}).Run(context.Background(), p)
	if err := r.Err(); err != nil {
		t.Fatal(err, r.Outcomes[1].Err)
	}
}

// With one slot, the job with the longest chain behind it goes first.
func TestRunLongestChainFirst(t *testing.T) {
	p := jobsOf("x amd64", "y amd64", "z amd64 y", "w amd64 z")
	f := newFakeExec()
	(&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f}).Run(context.Background(), p)
	if f.log[0] != "start y/amd64@x86" {
		t.Errorf("first started %q, want y (rank 3) before x (rank 1): %v", f.log[0], f.log)
	}
}

func TestRunFailureSkipsOnlyDescendants(t *testing.T) {
	p := jobsOf("a amd64", "b amd64 a", "c amd64 b", "d amd64", "e amd64 d a")
	p.Jobs[3].Err = errors.New("bad Dockerfile")
	f := newFakeExec()
	f.hook = func(_ context.Context, _ workers.Worker, j *Job) error {
		if j.ID == "a/amd64" {
			return errors.New("RUN failed")
		}
		return nil
	}
	var events []string
	var mu sync.Mutex
	r := (&Runner{Workers: []workers.Worker{worker("x86", 2, "amd64")}, Exec: f, Observe: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e.Outcome.Job.ID+" "+e.Outcome.Status.String())
	}}).Run(context.Background(), p)
	got := statuses(r)
	want := map[string]string{"a/amd64": "failed", "b/amd64": "skipped", "c/amd64": "skipped", "d/amd64": "failed", "e/amd64": "skipped"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if err := r.Outcomes[2].Err; err == nil || err.Error() != "skipped because a:1 (amd64) failed" {
		t.Errorf("c's reason: %v", err)
	}
	if len(f.log) != 2 {
		t.Errorf("ran %v; want only a", f.log)
	}
	if r.Err() == nil || r.Err().Error() != "2 failed, 3 skipped because of them, 0 cancelled" {
		t.Errorf("Err() = %v", r.Err())
	}
	if len(events) < 5 {
		t.Errorf("events %v", events)
	}
}

func TestRunRetriesTransientErrorsElsewhere(t *testing.T) {
	p := jobsOf("a amd64", "b amd64 a")
	f := newFakeExec()
	f.hook = func(_ context.Context, w workers.Worker, j *Job) error {
		if j.ID == "a/amd64" && w.Name == "x86-1" {
			return Transient(errors.New("connection reset"))
		}
		return nil
	}
	r := (&Runner{Workers: []workers.Worker{worker("x86-1", 1, "amd64"), worker("x86-2", 1, "amd64")}, Exec: f}).Run(context.Background(), p)
	a := r.Outcomes[0]
	if a.Status != Built || a.Attempts != 2 || a.Worker != "x86-2" {
		t.Errorf("a: %s after %d attempts on %s (%v)", a.Status, a.Attempts, a.Worker, f.log)
	}
	if r.Outcomes[1].Status != Built {
		t.Errorf("b: %s", r.Outcomes[1].Status)
	}
}

func TestRunGivesUpAfterAttempts(t *testing.T) {
	p := jobsOf("a amd64")
	f := newFakeExec()
	f.hook = func(context.Context, workers.Worker, *Job) error { return Transient(errors.New("503")) }
	r := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f, Attempts: 2, RetryDelay: time.Millisecond}).Run(context.Background(), p)
	if o := r.Outcomes[0]; o.Status != Failed || o.Attempts != 2 {
		t.Errorf("%s after %d attempts", o.Status, o.Attempts)
	}
}

// A job waiting to be retried does not hold up a cancelled run.
func TestRunCancelDuringRetryDelay(t *testing.T) {
	p := jobsOf("a amd64", "b amd64 a")
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeExec()
	f.hook = func(context.Context, workers.Worker, *Job) error {
		cancel() // while the retry waits its hour
		return Transient(errors.New("connection refused"))
	}
	done := make(chan *Report)
	go func() {
		done <- (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f, RetryDelay: time.Hour}).Run(ctx, p)
	}()
	select {
	case r := <-done:
		if got := statuses(r); got["a/amd64"] != "cancelled" || got["b/amd64"] != "cancelled" {
			t.Errorf("%v", got)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run waited out the retry delay after the run was cancelled")
	}
}

func TestRunArchWithoutWorker(t *testing.T) {
	p := jobsOf("a s390x", "b s390x a", "c amd64")
	r := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: newFakeExec()}).Run(context.Background(), p)
	if got := statuses(r); got["a/s390x"] != "skipped" || got["b/s390x"] != "skipped" || got["c/amd64"] != "built" {
		t.Errorf("%v", got)
	}
	if r.Err() != nil {
		t.Errorf("a missing worker is not a failure: %v", r.Err())
	}
	r = (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: newFakeExec(), AllowEmulation: true}).Run(context.Background(), jobsOf("a s390x"))
	if o := r.Outcomes[0]; o.Status != Built || o.Worker != "x86" {
		t.Errorf("with emulation: %s on %q", o.Status, o.Worker)
	}
}

func TestRunCancel(t *testing.T) {
	p := jobsOf("a amd64", "b amd64 a", "c amd64")
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeExec()
	f.hook = func(ctx context.Context, _ workers.Worker, j *Job) error {
		if j.ID == "a/amd64" {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	r := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f}).Run(ctx, p)
	if got := statuses(r); got["a/amd64"] != "cancelled" || got["b/amd64"] != "cancelled" || got["c/amd64"] != "cancelled" {
		t.Errorf("%v (log %v)", got, f.log)
	}
}

// TestRunKeepsAFailedAttemptsResult: what a failed attempt says of itself
// (its build id, its parents) is kept for the build record.
func TestRunKeepsAFailedAttemptsResult(t *testing.T) {
	p := jobsOf("a amd64")
	f := newFakeExec()
	f.hook = func(context.Context, workers.Worker, *Job) error { return errors.New("exit code: 2") }
	r := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f}).Run(context.Background(), p)
	if o := r.Outcomes[0]; o.Status != Failed || o.Result.BuildID != "id-a/amd64" {
		t.Errorf("failed job: status %s, build id %q; want failed with build id id-a/amd64", o.Status, o.Result.BuildID)
	}
}
