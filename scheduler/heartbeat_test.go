package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// switchProbe is a probe whose answer for each worker the test sets, and
// that tells the test which worker it probed.
type switchProbe struct {
	mu     sync.Mutex
	err    map[string]error
	probed chan string // a worker's name at each probe, when there is room
}

func newSwitchProbe() *switchProbe {
	return &switchProbe{err: map[string]error{}, probed: make(chan string, 1)}
}

func (s *switchProbe) set(name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err[name] = err
}

func (s *switchProbe) probe(_ context.Context, w workers.Worker) error {
	s.mu.Lock()
	err := s.err[w.Name]
	s.mu.Unlock()
	select {
	case s.probed <- w.Name:
	default:
	}
	return err
}

// waitProbed waits until name is probed.
func (s *switchProbe) waitProbed(name string) {
	for n := range s.probed {
		if n == name {
			return
		}
	}
}

// With a heartbeat, a worker that dies is marked down though no job runs
// on it, and gets no job while its probes fail; when it answers again,
// the probes after its backoff bring it back, and the heartbeats go on.
func TestPoolHeartbeat(t *testing.T) {
	sp := newSwitchProbe()
	pool := newTestPool(t, []workers.Worker{worker("W", 1, "amd64"), worker("V", 1, "amd64")},
		PoolOptions{Probe: sp.probe, Heartbeat: time.Millisecond, Backoff: time.Millisecond, MaxBackoff: time.Millisecond})
	sp.waitProbed("W") // up, idle, probed
	since := pool.Health()[0].Since
	errDead := errors.New("connection refused")
	sp.set("W", errDead)
	waitFor(pool, func() bool { return !pool.members[0].up })
	h := pool.Health()[0]
	if h.Up || h.Failures < 1 || !errors.Is(h.Err, errDead) || h.InUse != 0 {
		t.Errorf("W after its probe failed: %+v; want down, with the probe's error", h)
	}
	if h := pool.Health()[1]; !h.Up || !h.Since.Equal(since) {
		t.Errorf("V, answering its heartbeats: %+v; want up since the pool was made", h)
	}

	f := newFakeExec()
	if err := (&Runner{Pool: pool, Exec: f}).Run(context.Background(), independent("j", "amd64", 6)).Err(); err != nil {
		t.Fatal(err)
	}
	if n := f.builds("W"); n != 0 {
		t.Errorf("W, down, ran %d jobs: %v", n, f.snapshot())
	}

	sp.set("W", nil)
	waitFor(pool, func() bool { return pool.members[0].up })
	sp.waitProbed("W") // a heartbeat, now that it is up
}

// Without a heartbeat, or without a probe, a worker that is up has no
// check pending.
func TestPoolNoHeartbeat(t *testing.T) {
	probe := func(context.Context, workers.Worker) error { return nil }
	for _, tc := range []struct {
		name string
		opts PoolOptions
	}{
		{"no heartbeat", PoolOptions{Probe: probe}},
		{"no probe", PoolOptions{Heartbeat: time.Millisecond}},
		{"negative", PoolOptions{Probe: probe, Heartbeat: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := newTestPool(t, []workers.Worker{worker("W", 1, "amd64")}, tc.opts)
			if err := pool.MarkUp("W"); err != nil {
				t.Fatal(err)
			}
			pool.mu.Lock()
			defer pool.mu.Unlock()
			if m := pool.members[0]; m.timer != nil || m.probe != nil {
				t.Errorf("W is up with a check pending: timer %v, probe running %t", m.timer != nil, m.probe != nil)
			}
		})
	}
}

// Drain stops the heartbeats: it cancels a running heartbeat probe, waits
// for it, and no probe runs after it returns.
func TestDrainStopsHeartbeats(t *testing.T) {
	var drained atomic.Bool
	probing, returned := make(chan struct{}), make(chan struct{})
	var once sync.Once
	probe := func(ctx context.Context, _ workers.Worker) error {
		if drained.Load() {
			t.Error("a probe ran after Drain returned")
		}
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(probing)
		<-ctx.Done()
		close(returned)
		return ctx.Err()
	}
	pool := NewPool([]workers.Worker{worker("W", 1, "amd64"), worker("V", 1, "amd64")}, PoolOptions{Probe: probe, Heartbeat: time.Millisecond})
	<-probing
	if err := pool.Drain(context.Background()); err != nil {
		t.Errorf("Drain: %v", err)
	}
	drained.Store(true)
	select {
	case <-returned:
	default:
		t.Error("Drain returned before the heartbeat probe did")
	}
	for _, h := range pool.Health() {
		if !h.Up || h.Failures != 0 {
			t.Errorf("%s after the drain: %+v; want up, the cancelled probe not counted", h.Name, h)
		}
	}
	pool.mu.Lock()
	for _, m := range pool.members {
		if m.timer != nil || m.probe != nil {
			t.Errorf("%s has a check pending after the drain", m.w.Name)
		}
		pool.schedule(m) // what a heartbeat does next: nothing now
		if m.timer != nil {
			t.Errorf("%s: a heartbeat was scheduled after the drain", m.w.Name)
		}
	}
	pool.mu.Unlock()
}
