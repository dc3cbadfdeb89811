package gitsource

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
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
