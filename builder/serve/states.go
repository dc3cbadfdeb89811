package serve

import (
	"errors"

	"github.com/brewkit/brewkit/scheduler"
)

// The states of a job, as the API and the store name them.
const (
	StateWaiting   = "waiting"   // for a parent to be built
	StateQueued    = "queued"    // ready, waiting for a worker slot
	StateRunning   = "running"   // on a worker
	StateSucceeded = "succeeded" // built, or found staged already
	StateFailed    = "failed"    // failed, and will not be tried again on its own
	StateBackoff   = "backoff"   // failed; tried again at its next attempt time
	StateCancelled = "cancelled" // stopped by a drain or a cancel
	StateSkipped   = "skipped"   // no worker builds its architecture natively
)

// States lists every state, in the order a job moves through them.
func States() []string {
	return []string{StateWaiting, StateQueued, StateRunning, StateSucceeded, StateFailed, StateBackoff, StateCancelled, StateSkipped}
}

// endState is the state of a job that ended as o says: a job skipped
// because a parent failed waits for that parent.
func endState(o *scheduler.Outcome) string {
	switch o.Status {
	case scheduler.Built, scheduler.UpToDate:
		return StateSucceeded
	case scheduler.Failed:
		return StateFailed
	case scheduler.Cancelled:
		return StateCancelled
	case scheduler.Skipped:
		if errors.Is(o.Err, scheduler.ErrNoWorker) {
			return StateSkipped
		}
		return StateWaiting
	}
	return StateQueued
}
