package gitsource

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// FetchError is returned by [Cache.Ensure] and [Cache.Head] when a
// repository could not be fetched from: it did not answer (no network, an
// unknown host, a refused connection, a missing repository, refused
// credentials) or the fetch timed out (see [WithFetchTimeout]). A
// repository that answered without the commit gives a
// *[CommitNotFoundError] instead, and one without the branch a
// *[BranchNotFoundError]. Find it with errors.As.
//
// The cache remembers the failure for a while (see [WithFailureTTL]):
// within that time, Head of the same GitRepo, and Ensure of a commit of it
// that is not in the cache, fail at once with a copy of the first error
// whose Repeat is set, and fetch nothing.
type FetchError struct {
	Repo   string // the GitRepo, without any password
	Err    error  // why the fetch failed: git's error, or a timeout
	Repeat bool   // an earlier fetch's error: nothing was fetched this time
	// ttl is how long the failure is remembered, for the message.
	ttl time.Duration
}

func (e *FetchError) Error() string {
	if e.Repeat {
		return fmt.Sprintf("fetching %s (not retried: it failed less than %v ago): %s", e.Repo, e.ttl, fetchReason(e.Err))
	}
	return fmt.Sprintf("fetching %s: %s", e.Repo, fetchReason(e.Err))
}

func (e *FetchError) Unwrap() error { return e.Err }

// fetchReason is what git said about a failed fetch, from its first
// "fatal: " on (git's own words, which may take several lines), or the
// whole error when git said nothing such, as for a timeout.
func fetchReason(err error) string {
	if te := (*timeoutError)(nil); errors.As(err, &te) {
		return te.Error()
	}
	msg := err.Error()
	if i := strings.Index(msg, "fatal: "); i >= 0 {
		return strings.TrimSpace(msg[i+len("fatal: "):])
	}
	return msg
}

// timeoutError is a git command killed by a timeout. It wraps the
// command's error, and so context.DeadlineExceeded.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string { return fmt.Sprintf("timed out after %v", e.after) }

func (e *timeoutError) Unwrap() error { return e.err }

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
		msg += " (git: " + gitReasons(e.Err) + ")"
	}
	return msg
}

// gitReasons shortens the errors of failed git commands to git's own last
// word on each, such as "by id: not our ref 0123…; refs/heads/main: couldn't
// find remote ref refs/heads/main".
func gitReasons(err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, gitReasons(e))
		}
		return strings.Join(parts, "; ")
	}
	msg := err.Error()
	prefix, rest, ok := strings.Cut(msg, ": git ") // "by id: git fetch …: exit status 128: fatal: …"
	if !ok || strings.HasPrefix(msg, "git ") {
		prefix, rest = "", msg
	}
	reason := rest
	if i := strings.Index(rest, "fatal: "); i >= 0 { // git's first complaint says the most
		reason, _, _ = strings.Cut(rest[i:], "\n")
	}
	for _, p := range []string{"fatal: ", "remote error: ", "git upload-pack: ", "upload-pack: "} {
		reason = strings.TrimPrefix(reason, p)
	}
	if prefix != "" {
		return prefix + ": " + reason
	}
	return reason
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

// BranchNotFoundError is returned by [Cache.Head] when the repository
// answered but has no such branch: a mistyped branch, or one deleted.
// Find it with errors.As.
type BranchNotFoundError struct {
	Repo   string // the GitRepo, without any password
	Branch string // as asked for, such as "main"
	Err    error  // git's error
}

func (e *BranchNotFoundError) Error() string {
	return fmt.Sprintf("branch %q is not in %s (git: %s)", e.Branch, e.Repo, gitReasons(e.Err))
}

func (e *BranchNotFoundError) Unwrap() error { return e.Err }
