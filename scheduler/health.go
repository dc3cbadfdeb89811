package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// WorkerHealth is a snapshot of one worker of a [Pool].
type WorkerHealth struct {
	Name   string
	Arches []string
	Slots  int // builds it takes at once
	InUse  int // builds running on it now, of every run
	Up     bool
	// Unusable reports that it is out of service, not merely down: an
	// attempt or a probe failed with an [Unusable] error (Err), so it is
	// not checked again and takes no job until [Pool.MarkUp].
	Unusable bool
	// Since is when it last went up or down (or the pool was made).
	Since time.Time
	// Failures counts the failed checks in a row: the attempt that marked
	// it down, then every failed probe or trial job; 0 when up.
	Failures int
	// Err is what last marked it down; it is kept after the worker comes
	// back, to show what happened.
	Err error
}

// trialState is where a down worker checked without a probe stands.
type trialState int

const (
	trialNone    trialState = iota // waiting out its backoff
	trialOpen                      // it may take one job
	trialRunning                   // that job runs
)

// health is a member's health; the pool's lock guards it.
type health struct {
	up    bool
	since time.Time
	fails int
	err   error
	trial trialState
	// unusable: out of service until MarkUp (see Unusable); up is false
	unusable bool
	timer    *time.Timer        // the next check: a probe or trial while down, a heartbeat while up
	probe    context.CancelFunc // the running probe (a check or a heartbeat)
	gen      int                // bumped to disown a pending check
}

// Health returns the state of every worker, in the pool's order.
func (p *Pool) Health() []WorkerHealth {
	p.mu.Lock()
	defer p.mu.Unlock()
	hs := make([]WorkerHealth, len(p.members))
	for i, m := range p.members {
		hs[i] = WorkerHealth{
			Name: m.w.Name, Arches: slices.Clone(m.w.Arches), Slots: m.w.Slots(), InUse: m.inUse,
			Up: m.up, Unusable: m.unusable, Since: m.since, Failures: m.fails, Err: m.err,
		}
	}
	return hs
}

// MarkDown marks the worker named name down, as a failed attempt on it
// would, with err (nil means "marked down") as the reason; it is checked
// again after the backoff. It returns an error if the pool has no worker
// of that name.
func (p *Pool) MarkDown(name string, err error) error {
	if err == nil {
		err = errors.New("marked down")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.byName[name]
	if !ok {
		return fmt.Errorf("marking worker %q down: no such worker in the pool", name)
	}
	p.markDown(m, err, false)
	p.notify()
	return nil
}

// MarkUp marks the worker named name up: it takes jobs again at once,
// even one taken out of service as [Unusable] (after its configuration
// was fixed, say). It returns an error if the pool has no worker of that name.
func (p *Pool) MarkUp(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.byName[name]
	if !ok {
		return fmt.Errorf("marking worker %q up: no such worker in the pool", name)
	}
	p.markUp(m)
	p.notify()
	return nil
}

// markDown records a failure of m. A failure that finds m up marks it
// down; a failed check (a trial job or a probe) of a down m counts one
// more failure in a row; either schedules the next check. Any other
// failure (a job that started before m went down) only updates the
// reason. The caller holds p.mu.
func (p *Pool) markDown(m *member, err error, check bool) {
	if m.unusable { // keep the reason it is out of service
		return
	}
	m.err = err
	switch {
	case m.up:
		m.up, m.since, m.fails = false, time.Now(), 1
	case check:
		m.fails++
	default:
		return
	}
	m.trial = trialNone
	p.schedule(m)
}

// markUp records that m answered; its next heartbeat, if any, is a
// Heartbeat from now. The caller holds p.mu.
func (p *Pool) markUp(m *member) {
	if !m.up {
		m.up, m.since = true, time.Now()
	}
	m.fails, m.trial, m.unusable = 0, trialNone, false
	p.schedule(m)
}

// disable takes m out of service for err, an [Unusable] error: it is not
// checked again, and takes no job until MarkUp. The caller holds p.mu.
func (p *Pool) disable(m *member, err error) {
	if m.unusable {
		return // the first reason stays
	}
	if m.up {
		m.up, m.since = false, time.Now()
	}
	m.unusable, m.err, m.fails, m.trial = true, err, max(m.fails, 1), trialNone
	p.disown(m)
}

// disown stops m's pending check, if any. The caller holds p.mu.
func (p *Pool) disown(m *member) {
	m.gen++
	if m.timer != nil && m.timer.Stop() {
		p.bg.Done() // the timer will not fire
	}
	m.timer = nil
	if m.probe != nil {
		m.probe()
		m.probe = nil
	}
}

// schedule disowns m's pending check and arranges the next: while m is
// down, after the backoff its failures in a row call for; while it is
// up, after the heartbeat, if any. The caller holds p.mu.
func (p *Pool) schedule(m *member) {
	p.disown(m)
	if p.isDraining || m.unusable {
		return
	}
	after := p.backoff(m.fails)
	if m.up {
		if p.opts.Heartbeat == 0 {
			return
		}
		after = p.opts.Heartbeat
	}
	gen := m.gen
	p.bg.Add(1)
	m.timer = time.AfterFunc(after, func() {
		defer p.bg.Done()
		p.recheck(m, gen)
	})
}

// backoff is PoolOptions.Backoff doubled for every failure in a row after
// the first, capped at MaxBackoff.
func (p *Pool) backoff(fails int) time.Duration {
	d := p.opts.Backoff
	for i := 1; i < fails && d < p.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.opts.MaxBackoff)
}

// recheck starts the check of m that its timer scheduled: a probe (of a
// down m after its backoff, or a heartbeat of an up one), or a trial job.
func (p *Pool) recheck(m *member, gen int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isDraining || m.gen != gen {
		return
	}
	m.timer = nil
	if p.opts.Probe == nil { // m is down: an up m has no timer without a probe
		m.trial = trialOpen
		p.notify()
		return
	}
	ctx, cancel := context.WithTimeoutCause(context.Background(), p.opts.ProbeTimeout,
		fmt.Errorf("probe of worker %s: no answer within %s", m.w.Name, p.opts.ProbeTimeout))
	m.probe = cancel
	p.bg.Add(1)
	go p.runProbe(ctx, cancel, m, gen)
}

// runProbe probes m and records the answer, unless m's check was
// disowned meanwhile (m went up or down, or the pool is draining). A
// heartbeat that finds m up changes nothing but the next heartbeat.
func (p *Pool) runProbe(ctx context.Context, cancel context.CancelFunc, m *member, gen int) {
	defer p.bg.Done()
	err := p.opts.Probe(ctx, m.w)
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.isDraining || m.gen != gen {
		return
	}
	m.probe = nil
	wasUp := m.up
	if IsUnusable(err) {
		p.disable(m, fmt.Errorf("probing worker %s: %w", m.w.Name, err))
		p.notify()
		return
	}
	if err != nil {
		p.markDown(m, fmt.Errorf("probing worker %s: %w", m.w.Name, err), true)
	} else {
		p.markUp(m)
	}
	if !wasUp || !m.up { // a check of a down m counts for the runs that give up on it
		p.notify()
	}
}
