package gitsource

import (
	"fmt"
	"io/fs"
	"path"
)

// CommitNotFoundError is returned by [Cache.Ensure] when the commit is still
// missing after fetching it by id and, when that failed, fetching GitFetch:
// the commit was never pushed, or not to that branch. Find it with
// errors.As.
type CommitNotFoundError struct {
	Repo   string // the GitRepo, without any password
	Fetch  string // the GitFetch fetched; empty if only fetch-by-commit was tried
	Commit string
	Err    error // why fetching by commit failed, when nothing else was fetched
}

func (e *CommitNotFoundError) Error() string {
	how := "fetched " + e.Fetch
	if e.Fetch == "" {
		how = "fetched by commit id"
	}
	msg := fmt.Sprintf("commit %s is not in %s (%s); is it pushed?", e.Commit, e.Repo, how)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *CommitNotFoundError) Unwrap() error { return e.Err }

// NotFoundError is returned when a path is not in a commit. It matches
// fs.ErrNotExist with errors.Is.
type NotFoundError struct {
	Path   string // repository-relative, as asked for
	Target string // when Path is a symlink: the missing path it points to
	Commit string
	Repo   string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%s not found at %s:%s in %s", path.Base(e.Path), e.Commit, e.Path, e.Repo)
	if e.Target != "" && e.Target != e.Path {
		msg += fmt.Sprintf(" (it is a symlink to %s)", e.Target)
	}
	return msg
}

// Is makes errors.Is(err, fs.ErrNotExist) true.
func (e *NotFoundError) Is(target error) bool { return target == fs.ErrNotExist }
