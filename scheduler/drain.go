package scheduler

import (
	"context"
	"errors"
	"fmt"
)

// ErrDraining is wrapped by the error of every job a run did not start,
// or that was interrupted, because its [Pool] was drained: "not run: the
// runner is draining".
var ErrDraining = errors.New("the runner is draining")

// Drain stops the pool: from now on no job starts, in any run, and a run
// started later ends at once; every run ends once its running jobs have
// returned, with the jobs it did not start cancelled (their errors wrap
// [ErrDraining]). Drain lets the running builds finish and returns once
// they have. When ctx is done first, it cancels them, their ctx's cause
// wrapping ErrDraining, waits for them to return, and returns an error
// that wraps ctx's cause. It also stops the health checks and the
// heartbeats, and waits for the probes that were running.
//
// Drain may be called more than once, and concurrently; each call
// returns when no build runs.
func (p *Pool) Drain(ctx context.Context) error {
	p.mu.Lock()
	if !p.isDraining {
		p.isDraining = true
		close(p.draining)
		for _, m := range p.members {
			p.disown(m)
		}
		p.notify()
	}
	p.mu.Unlock()
	err := p.waitIdle(ctx)
	p.bg.Wait()
	return err
}

// waitIdle waits until no build runs, cancelling them when ctx is done.
func (p *Pool) waitIdle(ctx context.Context) error {
	var err error
	done := ctx.Done()
	for {
		p.mu.Lock()
		n, wake := len(p.inflight), p.changed
		p.mu.Unlock()
		if n == 0 {
			return err
		}
		select {
		case <-wake:
		case <-done:
			done = nil
			err = p.interrupt(context.Cause(ctx))
		}
	}
}

// interrupt cancels every running build because the drain's deadline
// passed.
func (p *Pool) interrupt(deadline error) error {
	cause := fmt.Errorf("%w and the drain's deadline passed: %w", ErrDraining, deadline)
	p.mu.Lock()
	defer p.mu.Unlock()
	for a := range p.inflight {
		a.cancel(cause)
	}
	return fmt.Errorf("draining: cancelled %d running build(s): %w", len(p.inflight), deadline)
}
