package scheduler

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// Drain lets the running jobs finish and starts no other, in any run.
func TestDrainLetsRunningJobsFinish(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("x86", 1, "amd64"), worker("arm", 1, "arm64v8")}, PoolOptions{})
	f := newFakeExec()
	gate := make(chan struct{})
	f.hook = func(_ context.Context, _ workers.Worker, j *Job) error {
		if j.ID == "a/amd64" || j.ID == "d/arm64v8" {
			<-gate
		}
		return nil
	}
	r := &Runner{Pool: pool, Exec: f}
	reports := make(chan *Report, 2)
	go func() { reports <- r.Run(context.Background(), jobsOf("a amd64", "b amd64 a", "c amd64")) }()
	go func() { reports <- r.Run(context.Background(), jobsOf("d arm64v8", "e arm64v8")) }()
	<-f.startedCh("a/amd64")
	<-f.startedCh("d/arm64v8")
	drained := make(chan error, 1)
	go func() { drained <- pool.Drain(context.Background()) }()
	<-pool.Draining()
	close(gate)
	if err := <-drained; err != nil {
		t.Errorf("Drain: %v", err)
	}
	log := f.snapshot()
	if !slices.Contains(log, "end a/amd64") || !slices.Contains(log, "end d/arm64v8") {
		t.Errorf("Drain returned before the running jobs did: %v", log)
	}
	for range 2 {
		for _, o := range (<-reports).Outcomes {
			switch id := o.Job.ID; id {
			case "a/amd64", "d/arm64v8":
				if o.Status != Built {
					t.Errorf("%s, running when the drain began: %s (%v), want built", id, o.Status, o.Err)
				}
			default:
				if o.Status != Cancelled || !errors.Is(o.Err, ErrDraining) || o.Err.Error() != "not run: the runner is draining" {
					t.Errorf("%s: %s (%v), want cancelled: not run: the runner is draining", id, o.Status, o.Err)
				}
			}
		}
	}
	if len(log) != 4 {
		t.Errorf("jobs started after the drain began: %v", log)
	}
}

// When the drain's deadline passes, the running jobs are cancelled with
// a cause that says so, and Drain returns once they have returned.
func TestDrainDeadlineCancelsRunningJobs(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("x86", 1, "amd64")}, PoolOptions{})
	f := newFakeExec()
	causes := make(chan error, 1)
	f.hook = func(ctx context.Context, _ workers.Worker, j *Job) error {
		<-ctx.Done()
		causes <- context.Cause(ctx)
		return ctx.Err()
	}
	reports := make(chan *Report, 1)
	go func() {
		reports <- (&Runner{Pool: pool, Exec: f}).Run(context.Background(), jobsOf("a amd64", "b amd64 a", "c amd64"))
	}()
	<-f.startedCh("a/amd64")
	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0)) // expired
	defer cancel()
	err := pool.Drain(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Drain: %v, want an error wrapping the deadline's", err)
	}
	select {
	case cause := <-causes:
		if !errors.Is(cause, ErrDraining) || !errors.Is(cause, context.DeadlineExceeded) {
			t.Errorf("a's ctx was cancelled with cause %v, want the drain's", cause)
		}
	default:
		t.Error("Drain returned before the running job did")
	}
	rep := <-reports
	for _, o := range rep.Outcomes {
		// b is cancelled as a's child ("skipped because a:1 (amd64) cancelled")
		if o.Status != Cancelled || o.Job.ID != "b/amd64" && !errors.Is(o.Err, ErrDraining) {
			t.Errorf("%s: %s (%v), want cancelled by the drain", o.Job.ID, o.Status, o.Err)
		}
	}
	if len(f.log) != 2 {
		t.Errorf("ran %v, want only a", f.log)
	}
}

// A run started after Drain ends at once, every job cancelled.
func TestRunAfterDrain(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("x86", 1, "amd64")}, PoolOptions{})
	for range 2 { // Drain may be called again
		if err := pool.Drain(context.Background()); err != nil {
			t.Fatalf("Drain: %v", err)
		}
	}
	p := jobsOf("a amd64", "b amd64 a", "c s390x")
	p.Jobs[0].Err = errors.New("bad Dockerfile")
	f := newFakeExec()
	rep := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), p)
	for _, o := range rep.Outcomes {
		if o.Status != Cancelled || !errors.Is(o.Err, ErrDraining) {
			t.Errorf("%s: %s (%v), want cancelled: the runner is draining", o.Job.ID, o.Status, o.Err)
		}
	}
	if len(f.log) != 0 {
		t.Errorf("ran %v", f.log)
	}
}

// Drain stops the health checks: it cancels a running probe and waits for
// it to return.
func TestDrainStopsProbes(t *testing.T) {
	probing, returned := make(chan struct{}), make(chan struct{})
	pool := NewPool([]workers.Worker{worker("x86", 1, "amd64")}, PoolOptions{Backoff: time.Microsecond, Probe: func(ctx context.Context, _ workers.Worker) error {
		close(probing)
		<-ctx.Done()
		close(returned)
		return ctx.Err()
	}})
	if err := pool.MarkDown("x86", errors.New("gone")); err != nil {
		t.Fatal(err)
	}
	<-probing
	if err := pool.Drain(context.Background()); err != nil {
		t.Errorf("Drain: %v", err)
	}
	select {
	case <-returned:
	default:
		t.Error("Drain returned before the probe did")
	}
	if h := pool.Health()[0]; h.Up || h.Failures != 1 {
		t.Errorf("after the drain: %+v; want still down, the cancelled probe not counted", h)
	}
}
