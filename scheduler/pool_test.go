package scheduler

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// newTestPool is NewPool, drained when the test ends.
func newTestPool(t *testing.T, ws []workers.Worker, opts PoolOptions) *Pool {
	t.Helper()
	p := NewPool(ws, opts)
	t.Cleanup(func() {
		if err := p.Drain(context.Background()); err != nil {
			t.Errorf("Drain: %v", err)
		}
	})
	return p
}

// snapshot returns a copy of the fake's log.
func (f *fakeExec) snapshot() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log)
}

// builds counts the attempts that started on worker.
func (f *fakeExec) builds(worker string) int {
	n := 0
	for _, l := range f.snapshot() {
		if strings.HasPrefix(l, "start ") && strings.HasSuffix(l, "@"+worker) {
			n++
		}
	}
	return n
}

// independent is a plan of n jobs without edges, named prefix0, prefix1…
func independent(prefix, arch string, n int) *Plan {
	specs := make([]string, n)
	for i := range specs {
		specs[i] = fmt.Sprintf("%s%d %s", prefix, i, arch)
	}
	return jobsOf(specs...)
}

// Two runs at once share a worker's slots: together they never run more
// builds on it than it has slots, and they do fill them.
func TestPoolRunsShareSlots(t *testing.T) {
	for _, slots := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("slots=%d", slots), func(t *testing.T) {
			pool := newTestPool(t, []workers.Worker{worker("x86", slots, "amd64")}, PoolOptions{})
			f := newFakeExec()
			var (
				mu      sync.Mutex
				started int
				full    = make(chan struct{}) // closed once the slots are all taken
			)
			f.hook = func(context.Context, workers.Worker, *Job) error {
				mu.Lock()
				if started++; started == slots {
					close(full)
				}
				mu.Unlock()
				<-full
				for range 10 {
					runtime.Gosched() // leave room for a run that overbooks
				}
				return nil
			}
			r := &Runner{Pool: pool, Exec: f}
			reports := make(chan *Report, 2)
			for _, prefix := range []string{"a", "b"} {
				go func() { reports <- r.Run(context.Background(), independent(prefix, "amd64", 12)) }()
			}
			for range 2 {
				if err := (<-reports).Err(); err != nil {
					t.Fatal(err)
				}
			}
			if f.peak["x86"] != slots {
				t.Errorf("at most %d builds ran at once on x86; want its %d slots, no more, no fewer", f.peak["x86"], slots)
			}
		})
	}
}

// A run waiting for a slot that another run holds starts its job when
// that run frees the slot.
func TestPoolWakesWaitingRun(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("x86", 1, "amd64"), worker("arm", 1, "arm64v8")}, PoolOptions{})
	f := newFakeExec()
	gate := make(chan struct{})
	f.hook = func(_ context.Context, _ workers.Worker, j *Job) error {
		if j.ID == "a/amd64" {
			<-gate
		}
		return nil
	}
	first := make(chan *Report, 1)
	go func() { first <- (&Runner{Pool: pool, Exec: f}).Run(context.Background(), jobsOf("a amd64")) }()
	<-f.startedCh("a/amd64")

	// The second run tries b (x86 is busy) before it starts c, so once c
	// has ended, b can only start if the run is woken.
	cEnded := make(chan struct{})
	second := make(chan *Report, 1)
	r := &Runner{Pool: pool, Exec: f, Observe: func(e Event) {
		if e.Outcome.Job.ID == "c/arm64v8" && e.Outcome.Status == Built {
			close(cEnded)
		}
	}}
	go func() { second <- r.Run(context.Background(), jobsOf("b amd64", "c arm64v8")) }()
	<-cEnded
	if n := f.builds("x86"); n != 1 {
		t.Fatalf("%d builds on x86 while a held its only slot: %v", n, f.snapshot())
	}
	close(gate)
	for _, ch := range []chan *Report{first, second} {
		select {
		case rep := <-ch:
			if err := rep.Err(); err != nil {
				t.Error(err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("a run was not woken when the slot it waited for was freed: %v", f.snapshot())
		}
	}
}

func TestRunPoolAndWorkers(t *testing.T) {
	ws := []workers.Worker{worker("x86", 1, "amd64")}
	f := newFakeExec()
	rep := (&Runner{Pool: newTestPool(t, ws, PoolOptions{}), Workers: ws, Exec: f}).Run(context.Background(), jobsOf("a amd64"))
	if o := rep.Outcomes[0]; o.Status != Failed || o.Err != errPoolAndWorkers {
		t.Errorf("a: %s (%v); want failed: %v", o.Status, o.Err, errPoolAndWorkers)
	}
	if len(f.log) != 0 {
		t.Errorf("ran %v", f.log)
	}
}
