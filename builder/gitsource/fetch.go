package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Refs that keep fetched commits reachable, so gc never drops them.
const (
	commitRefPrefix = "refs/brewkit/commit/" // + commit id
	fetchRefPrefix  = "refs/brewkit/fetch/"  // + GitFetch without "refs/"
)

// ensure makes src.Commit present in rem's repository. Checking needs no
// lock; initializing and fetching happen under the repository's flock, and
// the check is repeated there, since another process may have fetched the
// commit meanwhile (or another goroutine failed to). A failure to fetch
// from the repository is remembered, for the next calls to fail at once.
func (c *Cache) ensure(ctx context.Context, rem remote, src Source) (err error) {
	git := c.runner(rem)
	if ok, err := c.presentOrFailed(ctx, git, rem, src); err != nil || ok {
		return err
	}
	unlock, err := lockFile(ctx, git.gitDir+".lock")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, unlock()) }()
	if err := c.initRepo(ctx, git); err != nil {
		return err
	}
	if ok, err := c.presentOrFailed(ctx, git, rem, src); err != nil || ok { // a fetch we waited for may have failed
		return err
	}
	err = c.fetchCommit(ctx, git, rem, src)
	if fe := (*FetchError)(nil); errors.As(err, &fe) {
		c.failed.add(failureKey(rem), fe)
	}
	return err
}

// presentOrFailed reports whether src.Commit is in the repository and, if
// it is not, fails with the repository's recent fetch failure, if any.
func (c *Cache) presentOrFailed(ctx context.Context, git runner, rem remote, src Source) (bool, error) {
	ok, err := hasCommit(ctx, git, src.Commit)
	if err != nil || ok {
		return ok, err
	}
	if fe := c.failed.recent(failureKey(rem)); fe != nil {
		c.opts.logger.Debug("not fetching: the repository failed recently", "repo", rem.display, "commit", src.Commit, "err", fe.Err)
		return false, fe
	}
	return false, nil
}

// hasCommit reports whether commit is in the repository.
func hasCommit(ctx context.Context, git runner, commit string) (bool, error) {
	if !initialized(git.gitDir) {
		return false, nil
	}
	_, err := git.run(ctx, "cat-file", "-e", commit+"^{commit}")
	switch {
	case err == nil:
		return true, nil
	case exitedNonZero(err):
		return false, nil
	default:
		return false, err
	}
}

func initialized(gitDir string) bool {
	_, err := os.Stat(filepath.Join(gitDir, "HEAD"))
	return err == nil
}

// initRepo creates the bare repository if needed: in a temporary directory
// renamed into place, so a crash never leaves a half-made repository.
// gc.auto=0 keeps dangling commits, as bashbrew does.
func (c *Cache) initRepo(ctx context.Context, git runner) error {
	if initialized(git.gitDir) {
		return nil
	}
	tmp, err := os.MkdirTemp(c.dir, filepath.Base(git.gitDir)+".init-")
	if err != nil {
		return fmt.Errorf("creating repository for %s: %w", git.gitDir, err)
	}
	defer os.RemoveAll(tmp) // after the rename, a no-op
	tmpGit := runner{bin: git.bin, gitDir: tmp, env: git.env}
	for _, args := range [][]string{
		{"init", "--bare", "--quiet"},
		{"config", "gc.auto", "0"},
		{"config", "maintenance.auto", "false"},
	} {
		if _, err := tmpGit.run(ctx, args...); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(git.gitDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing incomplete repository: %w", err)
	}
	if err := os.Rename(tmp, git.gitDir); err != nil {
		return fmt.Errorf("creating repository: %w", err)
	}
	return nil
}

// fetchCommit fetches src.Commit by id and, if the server refuses that,
// src.Fetch, then checks the commit arrived.
func (c *Cache) fetchCommit(ctx context.Context, git runner, rem remote, src Source) error {
	commitRef := commitRefPrefix + src.Commit
	byCommit := c.fetch(ctx, git, rem, "+"+src.Commit+":"+commitRef, slog.LevelInfo)
	switch {
	case byCommit == nil:
		return nil
	case unanswered(byCommit): // a second fetch would fail the same way
		return &FetchError{Repo: rem.display, Err: byCommit}
	case src.Fetch == "":
		return &CommitNotFoundError{Repo: rem.display, Commit: src.Commit, Err: byCommit}
	}
	c.opts.logger.Info("fetch by commit failed; fetching GitFetch", "repo", rem.display, "commit", src.Commit, "fetch", src.Fetch, "err", byCommit)
	fetchRef := fetchRefPrefix + strings.TrimPrefix(src.Fetch, "refs/")
	if err := c.fetch(ctx, git, rem, "+"+src.Fetch+":"+fetchRef, slog.LevelInfo); err != nil {
		if !strings.Contains(err.Error(), "couldn't find remote ref") { // the repository did not answer
			return &FetchError{Repo: rem.display, Err: err}
		}
		return &CommitNotFoundError{Repo: rem.display, Fetch: src.Fetch, Commit: src.Commit, Err: errors.Join(
			fmt.Errorf("by id: %w", byCommit), fmt.Errorf("%s: %w", src.Fetch, err))}
	}
	ok, err := hasCommit(ctx, git, src.Commit)
	if err != nil {
		return err
	}
	if !ok {
		return &CommitNotFoundError{Repo: rem.display, Fetch: src.Fetch, Commit: src.Commit}
	}
	if _, err := git.run(ctx, "update-ref", commitRef, src.Commit); err != nil {
		return fmt.Errorf("keeping commit %s of %s: %w", src.Commit, rem.display, err)
	}
	return nil
}

// unanswered reports whether a failed fetch says the repository did not
// answer at all: it timed out, git could not connect or was refused (an
// HTTP error, credentials, no such repository), or the remote end hung up
// before listing its refs.
func unanswered(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	msg := err.Error()
	for _, m := range []string{"unable to access '", "unable to connect to ", "Could not read from remote repository", "fatal: repository '"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// Stall limits of an http(s) fetch: git aborts a transfer slower than
// stallBytes a second for stallSeconds seconds (a server that accepts and
// never answers, a dead connection), long enough for a server to pack a
// big history, which it does sending only keepalives.
const (
	stallBytes   = "1000"
	stallSeconds = "60"
)

// fetch runs one git fetch, bounded by the fetch timeout and git's stall
// limits, and logs it at level. A fetch that times out returns a
// *timeoutError.
func (c *Cache) fetch(ctx context.Context, git runner, rem remote, refspec string, level slog.Level) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.fetchTimeout)
	defer cancel()
	c.opts.logger.Log(ctx, level, "git fetch", "repo", rem.display, "refspec", refspec)
	start := time.Now()
	args := []string{"fetch", "--quiet", "--no-tags", "--end-of-options"}
	shown := append(args[:len(args):len(args)], rem.display, refspec)
	stall := []string{"-c", "http.lowSpeedLimit=" + stallBytes, "-c", "http.lowSpeedTime=" + stallSeconds}
	_, err := git.with(stall, nil).with(credentialArgs(rem)).runShown(ctx, shown, append(args, rem.url, refspec)...)
	if errors.Is(err, context.DeadlineExceeded) {
		err = &timeoutError{after: c.opts.fetchTimeout, err: err}
	}
	c.opts.logger.Debug("git fetch done", "repo", rem.display, "refspec", refspec, "took", time.Since(start), "err", err)
	return err
}
