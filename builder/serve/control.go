package serve

import (
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// ErrNoJob is the error of a request for a job the current plan lacks.
var ErrNoJob = errors.New("no such job in the current plan")

// ErrJobState is the error of a retry or a cancel of a job in a state
// that does not allow it.
var ErrJobState = errors.New("the job is not in a state that allows it")

// restore readies the store for a new life: jobs that were running when
// the last daemon stopped are queued again; the first run checks them
// against the registry (staged: done; not: built again).
func (d *Daemon) restore() error {
	running, err := d.opts.Store.Jobs(store.JobFilter{State: StateRunning})
	if err != nil {
		return fmt.Errorf("reading the state: %w", err)
	}
	for i := range running {
		running[i].State = StateQueued
	}
	if err := d.opts.Store.PutJobs(running...); err != nil {
		return fmt.Errorf("writing the state: %w", err)
	}
	if len(running) > 0 {
		d.log.Info("jobs that were running are queued again", "jobs", len(running))
	}
	return nil
}

// Retry clears the backoff of a failed job (or one that was cancelled)
// and starts a run, which builds it at once.
func (d *Daemon) Retry(id string) error {
	j, ok, err := d.opts.Store.Job(id)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%s: %w", id, ErrNoJob)
	case j.State != StateFailed && j.State != StateBackoff && j.State != StateCancelled:
		return fmt.Errorf("%s is %s; only a failed or cancelled job, or one in backoff, can be retried: %w", id, j.State, ErrJobState)
	}
	if j.BuildID != "" {
		if err := d.opts.Store.ClearBackoff(j.BuildID, j.Arch); err != nil {
			return err
		}
	}
	d.log.Info("retry requested", "job", id)
	d.due()
	return nil
}

// Cancel cancels a running job; it ends cancelled, and is built again by
// the next run: of a new commit, or of a retry.
func (d *Daemon) Cancel(id string) error {
	d.mu.Lock()
	st := d.state
	d.mu.Unlock()
	if !st.cancel(id) {
		if _, ok, err := d.opts.Store.Job(id); err != nil || !ok {
			return errors.Join(err, fmt.Errorf("%s: %w", id, ErrNoJob))
		}
		return fmt.Errorf("%s is not running: %w", id, ErrJobState)
	}
	d.log.Info("cancel requested", "job", id)
	return nil
}
