package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// dead makes every attempt on the named worker fail as a dial to a dead
// daemon does.
func dead(name string) func(context.Context, workers.Worker, *Job) error {
	return func(_ context.Context, w workers.Worker, _ *Job) error {
		if w.Name == name {
			return Transient(fmt.Errorf("dial worker %s: connect: connection refused", w.Name))
		}
		return nil
	}
}

// A worker marked down gets no job while another of its arch is up, not
// even when its backoff has passed and, without a probe, it may take a
// trial job: only a job with no worker up takes that.
func TestPoolMarkedDownWorkerGetsNoJob(t *testing.T) {
	for _, tc := range []struct {
		name      string
		backoff   time.Duration
		trialOpen bool
	}{
		{"backing off", time.Hour, false},
		{"trial open", time.Microsecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := newTestPool(t, []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "amd64")}, PoolOptions{Backoff: tc.backoff})
			if err := pool.MarkDown("A", errors.New("maintenance")); err != nil {
				t.Fatal(err)
			}
			if tc.trialOpen {
				waitFor(pool, func() bool { return pool.members[0].trial == trialOpen })
			}
			f := newFakeExec()
			rep := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), independent("j", "amd64", 6))
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			if n := f.builds("A"); n != 0 {
				t.Errorf("A, marked down, ran %d jobs: %v", n, f.log)
			}
		})
	}
}

// waitFor waits until cond, called under p's lock, holds.
func waitFor(p *Pool, cond func() bool) {
	for {
		p.mu.Lock()
		ok, changed := cond(), p.changed
		p.mu.Unlock()
		if ok {
			return
		}
		<-changed
	}
}

// A dead worker beside a live one of its arch gets no job once its first
// attempts have failed: at most its slots' worth, at once.
func TestPoolDeadWorkerBesideLiveOne(t *testing.T) {
	for _, tc := range []struct {
		name      string
		plan      *Plan
		maxOnDead int
	}{
		{"one root", jobsOf("base amd64", "good amd64 base", "more amd64 base"), 1},
		{"eight roots", independent("j", "amd64", 8), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := []workers.Worker{worker("dead", 2, "amd64"), worker("live", 2, "amd64")}
			f := newFakeExec()
			f.hook = dead("dead")
			rep := (&Runner{Workers: ws, Exec: f}).Run(context.Background(), tc.plan)
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			if n := f.builds("dead"); n > tc.maxOnDead {
				t.Errorf("the dead worker got %d jobs, want at most %d: %v", n, tc.maxOnDead, f.log)
			}
			for _, o := range rep.Outcomes {
				if o.Worker != "live" || o.Attempts > 2 {
					t.Errorf("%s: built on %s after %d attempts", o.Job.ID, o.Worker, o.Attempts)
				}
			}
		})
	}
}

// A job whose only worker is down waits, and runs when the worker comes
// back: marked up, or answering its probe.
func TestPoolJobWaitsForWorker(t *testing.T) {
	errDown := errors.New("connection refused")
	for _, tc := range []struct {
		name string
		opts func(back <-chan struct{}) PoolOptions
		wait bool
		up   func(p *Pool, back chan struct{}) error
	}{
		{
			name: "MarkUp",
			opts: func(<-chan struct{}) PoolOptions { return PoolOptions{Backoff: time.Hour} },
			up:   func(p *Pool, _ chan struct{}) error { return p.MarkUp("A") },
		},
		{
			name: "probe",
			opts: func(back <-chan struct{}) PoolOptions {
				return PoolOptions{Backoff: time.Millisecond, MaxBackoff: time.Millisecond, Probe: func(context.Context, workers.Worker) error {
					select {
					case <-back:
						return nil
					default:
						return errDown
					}
				}}
			},
			wait: true, // the probes fail more than Attempts times in a row
			up:   func(_ *Pool, back chan struct{}) error { close(back); return nil },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			back := make(chan struct{})
			pool := newTestPool(t, []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "arm64v8")}, tc.opts(back))
			if err := pool.MarkDown("A", errDown); err != nil {
				t.Fatal(err)
			}
			f := newFakeExec()
			// y is ready from the start but A is down; x runs on B.
			xEnded, yStarted := make(chan bool, 1), false
			r := &Runner{Pool: pool, Exec: f, WaitForWorkers: tc.wait, Observe: func(e Event) {
				switch {
				case e.Outcome.Job.ID == "y/amd64" && e.Outcome.End.IsZero():
					yStarted = true
				case e.Outcome.Job.ID == "x/arm64v8" && e.Outcome.Status == Built:
					xEnded <- yStarted
				}
			}}
			reports := make(chan *Report, 1)
			go func() { reports <- r.Run(context.Background(), jobsOf("y amd64", "x arm64v8")) }()
			if <-xEnded {
				t.Fatal("y started on A while A was down")
			}
			if err := tc.up(pool, back); err != nil {
				t.Fatal(err)
			}
			rep := <-reports
			if err := rep.Err(); err != nil {
				t.Fatal(err, rep.Outcomes[0].Err)
			}
			if y := rep.Outcomes[0]; y.Worker != "A" || y.Attempts != 1 {
				t.Errorf("y: built on %s after %d attempts, want on A at once", y.Worker, y.Attempts)
			}
		})
	}
}

// A run that is not told to wait gives up on a worker that stays dead: its
// jobs fail naming it, their children are skipped.
func TestPoolGivesUpOnDeadWorker(t *testing.T) {
	errProbe := errors.New("connection refused")
	for _, tc := range []struct {
		name       string
		opts       PoolOptions
		baseTries  int // attempts of base, the highest ranked job
		otherTries int // at most, for other
		otherErr   string
	}{
		// Without a probe, base takes the trials and fails after Attempts
		// tries. Then other gives up, unless a trial opens first (as with
		// a backoff this short it may): it takes that, and may end as base.
		{"trials", PoolOptions{Backoff: time.Microsecond}, 3, 3, "worker A"},
		// With a probe, base waits for the probes, which fail; then both
		// give up.
		{"probe", PoolOptions{Backoff: time.Microsecond, Probe: func(context.Context, workers.Worker) error { return errProbe }}, 1, 0, "worker A is down after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := newTestPool(t, []workers.Worker{worker("A", 1, "amd64")}, tc.opts)
			f := newFakeExec()
			f.hook = dead("A")
			rep := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), jobsOf("base amd64", "good amd64 base", "other amd64"))
			base, good, other := rep.Outcomes[0], rep.Outcomes[1], rep.Outcomes[2]
			if base.Status != Failed || base.Attempts != tc.baseTries || !strings.Contains(base.Err.Error(), "worker A") {
				t.Errorf("base: %s after %d attempts (%v); want failed after %d, naming worker A", base.Status, base.Attempts, base.Err, tc.baseTries)
			}
			if good.Status != Skipped {
				t.Errorf("good: %s, want skipped", good.Status)
			}
			if other.Status != Failed || other.Attempts > tc.otherTries || !strings.Contains(other.Err.Error(), tc.otherErr) {
				t.Errorf("other: %s after %d attempts (%v); want failed after at most %d, with %q", other.Status, other.Attempts, other.Err, tc.otherTries, tc.otherErr)
			}
			if tc.opts.Probe != nil && !errors.Is(other.Err, errProbe) {
				t.Errorf("other's error %q does not wrap the probe's", other.Err)
			}
		})
	}
}

func TestPoolHealth(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("A", 2, "amd64", "i386"), worker("B", 1, "arm64v8")}, PoolOptions{Backoff: time.Hour})
	f := newFakeExec()
	f.hook = func(_ context.Context, w workers.Worker, _ *Job) error {
		if h := pool.Health()[0]; h.InUse != 1 {
			t.Errorf("A while a runs: %d in use, want 1", h.InUse)
		}
		return nil
	}
	if err := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), jobsOf("a amd64")).Err(); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	errMaint := errors.New("maintenance")
	if err := pool.MarkDown("A", errMaint); err != nil {
		t.Fatal(err)
	}
	h := pool.Health()
	if a := h[0]; a.Name != "A" || len(a.Arches) != 2 || a.Slots != 2 || a.InUse != 0 || a.Up || a.Failures != 1 || a.Err != errMaint || a.Since.Before(before) {
		t.Errorf("A marked down: %+v", a)
	}
	if b := h[1]; b.Name != "B" || !b.Up || b.Failures != 0 || b.Err != nil || b.Slots != 1 {
		t.Errorf("B: %+v", b)
	}
	if err := pool.MarkUp("A"); err != nil {
		t.Fatal(err)
	}
	if a := pool.Health()[0]; !a.Up || a.Failures != 0 || a.Err != errMaint {
		t.Errorf("A marked up: %+v; want up, the last error kept", a)
	}
	for _, err := range []error{pool.MarkDown("C", nil), pool.MarkUp("C")} {
		if err == nil || !strings.Contains(err.Error(), `"C"`) {
			t.Errorf("marking an unknown worker: %v", err)
		}
	}
}

func TestPoolBackoff(t *testing.T) {
	p := NewPool(nil, PoolOptions{Backoff: time.Second, MaxBackoff: 5 * time.Second})
	for fails, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 100: 5 * time.Second} {
		if got := p.backoff(fails); got != want {
			t.Errorf("after %d failures: %s, want %s", fails, got, want)
		}
	}
	if o := (PoolOptions{}).withDefaults(); o.Backoff != time.Second || o.MaxBackoff != time.Minute || o.ProbeTimeout != 30*time.Second {
		t.Errorf("defaults: %+v", o)
	}
}
