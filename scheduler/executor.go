package scheduler

import (
	"context"
	"errors"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// Executor produces one job's image on one worker. The builder implements
// it with BuildKit; tests implement it with fakes.
//
// Build is called only once every parent in job.Parents has a result, and
// never for a job whose Err is set. It should return an error wrapped with
// [Transient] when another attempt (perhaps on another worker) may succeed.
type Executor interface {
	Build(ctx context.Context, w workers.Worker, job *Job, parents []ParentResult) (Result, error)
}

// Result is what a job produced.
type Result struct {
	Ref      string // the image, pinned: "127.0.0.1:5000/staging-amd64@sha256:…"
	Digest   string // its digest (the per-architecture manifest, or an index around it)
	BuildID  string // see [BuildID]
	UpToDate bool   // it was already there; nothing was built
}

// ParentResult is the result of a parent job, given to its children.
type ParentResult struct {
	Edge
	Result
}

type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// Transient marks err as worth another attempt: a worker that went away,
// a registry that answered 503.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return transientError{err}
}

// IsTransient reports whether err was marked with [Transient].
func IsTransient(err error) bool {
	var t transientError
	return errors.As(err, &t)
}
