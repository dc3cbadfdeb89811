package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// launch is a job given a slot, to start once the pool's lock is let go.
type launch struct {
	t   *task
	a   *attempt
	ctx context.Context // the attempt's: the run's ctx, cancelled by a drain's deadline too
}

// giveUp is a job that stops waiting for its down workers.
type giveUp struct {
	t   *task
	err error
}

// step starts the ready jobs that have slots and fails those that stopped
// waiting for their workers. It returns a channel closed when the pool
// changes next, or stopping when no job may start any more: ctx is done,
// or the pool is draining.
func (s *run) step(ctx context.Context) (wake <-chan struct{}, stopping bool) {
	if ctx.Err() != nil {
		return nil, true
	}
	p := s.pool
	p.mu.Lock()
	if p.isDraining {
		p.mu.Unlock()
		return nil, true
	}
	if len(s.results) > 0 { // hear of them first: they changed the pool
		wake = p.changed
		p.mu.Unlock()
		return wake, false
	}
	launches := s.assign(ctx)
	gaveUp := s.giveUp(s.r.WaitForWorkers)
	wake = p.changed
	p.mu.Unlock()
	for _, l := range launches {
		s.launch(l)
	}
	for _, g := range gaveUp {
		s.fail(g.t, Failed, g.err)
	}
	return wake, false
}

// assign gives ready jobs free slots, worker by worker in the pool's
// order. The caller holds the pool's lock.
func (s *run) assign(ctx context.Context) []launch {
	var ls []launch
	for _, m := range s.pool.members {
		for m.inUse < m.w.Slots() {
			t := s.pick(m)
			if t == nil {
				break
			}
			actx, cancel := context.WithCancelCause(ctx)
			ls = append(ls, launch{t: t, a: s.pool.acquire(m, t.repo, cancel), ctx: actx})
		}
	}
	return ls
}

// pick takes the best ready job that m may build, over the queues of
// the architectures it serves and may take now: the highest rank or, in
// a fair run, the fairest (see shares.fairer). The caller holds the
// pool's lock.
func (s *run) pick(m *member) *task {
	var (
		best  *archQueue
		group string
		i     int
		t     *task
	)
	for arch, aq := range s.ready {
		if aq.n == 0 || !s.mayTake(m, arch) {
			continue
		}
		for g, q := range aq.groups {
			j := s.bestFor(q, m, arch)
			if j >= 0 && (t == nil || s.pool.shares.fairer(g, (*q)[j], group, t)) {
				best, group, i, t = aq, g, j, (*q)[j]
			}
		}
	}
	if best == nil {
		return nil
	}
	return best.remove(group, i)
}

// mayTake reports whether m may start a job for arch now: it serves arch,
// and it is up, or it is down with a trial open and arch has no worker
// up. The caller holds the pool's lock.
func (s *run) mayTake(m *member, arch string) bool {
	if !s.serves(m, arch) || m.unusable {
		return false
	}
	if m.up {
		return true
	}
	return m.trial == trialOpen && !s.upBesides(nil, arch)
}

// bestFor returns the index in q of the best job m may take, or -1. A job
// that just failed on m waits for another worker of its arch, when one is
// up; the jobs behind it need not.
func (s *run) bestFor(q *readyQueue, m *member, arch string) int {
	if top := q.peek(); top.avoid != m.w.Name || !s.upBesides(m, arch) {
		return 0
	}
	best := -1
	for i, t := range *q {
		if t.avoid != m.w.Name && (best < 0 || before(t, (*q)[best])) {
			best = i
		}
	}
	return best
}

func (s *run) serves(m *member, arch string) bool {
	for _, e := range s.byArch[arch] {
		if e == m {
			return true
		}
	}
	return false
}

// upBesides reports whether a worker for arch other than m is up. The
// caller holds the pool's lock.
func (s *run) upBesides(m *member, arch string) bool {
	for _, e := range s.byArch[arch] {
		if e != m && e.up {
			return true
		}
	}
	return false
}

// giveUp empties the queues of the architectures whose workers are all
// out of service (see [Unusable]), or, unless wait, out of service or
// down with enough failed checks in a row and nothing left to try (no
// trial open or running, no probe running). The caller holds the pool's
// lock.
func (s *run) giveUp(wait bool) []giveUp {
	limit := max(s.r.attempts(), 2)
	var gs []giveUp
	for arch, q := range s.ready {
		if q.n == 0 {
			continue
		}
		var errs []error
		for _, m := range s.byArch[arch] {
			if m.unusable {
				errs = append(errs, fmt.Errorf("worker %s is out of service: %w", m.w.Name, m.err))
				continue
			}
			if wait || m.up || m.fails < limit || m.trial != trialNone || m.probe != nil {
				errs = nil
				break
			}
			errs = append(errs, fmt.Errorf("worker %s is down after %d failures in a row: %w", m.w.Name, m.fails, m.err))
		}
		if len(errs) == 0 {
			continue
		}
		err := errors.Join(errs...)
		for _, t := range q.drain() {
			gs = append(gs, giveUp{t: t, err: err})
		}
	}
	return gs
}

// launch starts l's attempt. When it returns, it frees its slot, tells
// the pool what it says of the worker, and tells the run, all at once.
func (s *run) launch(l launch) {
	t, m := l.t, l.a.m
	s.running++
	t.out.Attempts++
	t.out.Worker, t.out.Start, t.out.End = m.w.Name, time.Now(), time.Time{}
	parents := make([]ParentResult, len(t.job.Parents))
	for i, e := range t.job.Parents {
		parents[i] = ParentResult{Edge: e, Result: s.tasks[e.Job].out.Result}
	}
	s.observe(Event{Kind: JobStarted, Outcome: t.out})
	go func() {
		d := s.build(l, parents)
		l.a.cancel(nil)
		mute := d.interrupted != nil || d.timedOut != nil
		s.pool.release(l.a, d.err, mute, func() { s.results <- d }) // never blocks: room for every job
	}()
}

// build calls Build for l, within Runner.JobTimeout, and says whether the
// pool cancelled it or it ran out of time.
func (s *run) build(l launch, parents []ParentResult) done {
	t, m := l.t, l.a.m
	ctx, cancel := s.r.jobContext(l.ctx)
	defer cancel()
	res, err := s.r.Exec.Build(ctx, m.w, t.job, parents)
	d := done{t: t, worker: m.w.Name, res: res, err: err}
	switch {
	case err == nil:
	case l.ctx.Err() != nil:
		d.interrupted = context.Cause(l.ctx)
	case ctx.Err() != nil:
		d.timedOut = context.Cause(ctx)
	}
	return d
}
