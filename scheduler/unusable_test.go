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

// errBadCert is a worker configuration error, as package builder reports a
// certificate signed by an unknown authority.
var errBadCert = errors.New("TLS: its certificate is signed by an unknown authority")

// badCert makes every attempt on the named worker fail with an Unusable
// error.
func badCert(name string) func(context.Context, workers.Worker, *Job) error {
	return func(_ context.Context, w workers.Worker, _ *Job) error {
		if w.Name == name {
			return fmt.Errorf("on %s: %w", w.Name, Unusable(errBadCert))
		}
		return nil
	}
}

// countingProbe counts its calls per worker and answers err.
type countingProbe struct {
	mu    sync.Mutex
	calls map[string]int
	err   func(w workers.Worker) error
}

func (c *countingProbe) probe(_ context.Context, w workers.Worker) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[w.Name]++
	if c.err == nil {
		return nil
	}
	return c.err(w)
}

func (c *countingProbe) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[name]
}

type unusableMarker struct{ error }

func (unusableMarker) Unusable() bool { return true }

func TestIsUnusable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errBadCert, false},
		{Transient(errBadCert), false},
		{Unusable(errBadCert), true},
		{fmt.Errorf("job on A: %w", Unusable(errBadCert)), true},
		{fmt.Errorf("wrapped: %w", unusableMarker{errBadCert}), true},
		{Transient(fmt.Errorf("x: %w", unusableMarker{errBadCert})), true},
	} {
		if got := IsUnusable(tc.err); got != tc.want {
			t.Errorf("IsUnusable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if Unusable(nil) != nil {
		t.Error("Unusable(nil) != nil")
	}
}

// A worker whose attempt fails with an Unusable error is out of service:
// never probed, never given another job; its job and the others go to the
// other worker of the arch.
func TestPoolUnusableWorkerBesideGoodOne(t *testing.T) {
	probe := &countingProbe{}
	pool := newTestPool(t, []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "amd64")},
		PoolOptions{Probe: probe.probe, Backoff: time.Microsecond})
	f := newFakeExec()
	f.hook = badCert("A")
	rep := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), independent("j", "amd64", 6))
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if n := f.builds("A"); n != 1 {
		t.Errorf("A ran %d jobs, want 1 (the one that found it unusable): %v", n, f.log)
	}
	if n := probe.count("A"); n != 0 {
		t.Errorf("A was probed %d times; an unusable worker is not waited for", n)
	}
	h := pool.Health()[0]
	if h.Up || !h.Unusable || !errors.Is(h.Err, errBadCert) {
		t.Errorf("A's health: up %v, unusable %v, err %v; want out of service with the TLS error", h.Up, h.Unusable, h.Err)
	}
	if err := pool.MarkUp("A"); err != nil {
		t.Fatal(err)
	}
	if h := pool.Health()[0]; !h.Up || h.Unusable {
		t.Errorf("after MarkUp, A: up %v, unusable %v", h.Up, h.Unusable)
	}
}

// When every worker of an arch is out of service, its jobs fail at once
// with the reason, even in a run that waits for workers; a probe that
// finds a down worker unusable takes it out of service too.
func TestPoolUnusableOnlyWorkerFailsJobs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hook  func(context.Context, workers.Worker, *Job) error
		probe error
	}{
		{"attempt", badCert("A"), nil},
		{"probe", dead("A"), Unusable(errBadCert)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probe := &countingProbe{err: func(workers.Worker) error { return tc.probe }}
			pool := newTestPool(t, []workers.Worker{worker("A", 1, "amd64"), worker("B", 1, "arm64v8")},
				PoolOptions{Probe: probe.probe, Backoff: time.Microsecond})
			f := newFakeExec()
			f.hook = tc.hook
			rep := (&Runner{Pool: pool, Exec: f, WaitForWorkers: true}).Run(context.Background(),
				jobsOf("base amd64", "child amd64 base", "other amd64", "arm arm64v8"))
			st := statuses(rep)
			want := map[string]string{"base/amd64": "failed", "child/amd64": "skipped", "other/amd64": "failed", "arm/arm64v8": "built"}
			for id, s := range want {
				if st[id] != s {
					t.Errorf("%s: %s, want %s", id, st[id], s)
				}
			}
			for _, o := range rep.Outcomes {
				if o.Status == Failed && (!errors.Is(o.Err, errBadCert) || !strings.Contains(o.Err.Error(), "worker A is out of service")) {
					t.Errorf("%s: %v; want the worker named and the TLS error", o.Job.ID, o.Err)
				}
			}
			if n := probe.count("A"); n > 1 {
				t.Errorf("A was probed %d times; want at most the one that found it unusable", n)
			}
		})
	}
}
