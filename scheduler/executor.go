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
	// Loaded says the image was also loaded into a local image store
	// (brewkit build --load), whether it was built or up to date.
	Loaded bool
	// Parents are the job's FROMs but scratch, in order, each with the
	// digest it resolved to: the list BuildID was computed from.
	Parents []Parent
	// BuildKit is the version of the BuildKit that built the image, such
	// as "v0.34.2"; empty when nothing was built (UpToDate, oci-import)
	// or the worker did not say.
	BuildKit string
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

// Unusable marks err as a worker's configuration error: the worker cannot
// be used as it is described (its TLS certificate is not one to trust for
// it, say), and no later attempt will do better until someone changes
// that. A [Pool] takes such a worker out of service instead of marking it
// down and waiting for it (see [Pool]); the job goes to another worker of
// its architecture, or fails with err when there is none.
//
// An error also counts as unusable when one in its chain has a method
// Unusable() bool that returns true: package builder's TLS errors do.
func Unusable(err error) error {
	if err == nil {
		return nil
	}
	return unusableError{err}
}

type unusableError struct{ err error }

func (e unusableError) Error() string  { return e.err.Error() }
func (e unusableError) Unwrap() error  { return e.err }
func (e unusableError) Unusable() bool { return true }

// IsUnusable reports whether err was marked with [Unusable] or has an
// error in its chain whose Unusable method returns true.
func IsUnusable(err error) bool {
	var u interface{ Unusable() bool }
	return errors.As(err, &u) && u.Unusable()
}
