package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"

	"github.com/brewkit/brewkit/manifest"
)

// Source names a commit the way a library entry does.
type Source struct {
	Repo   string // GitRepo: a URL, user@host:path, or a local path
	Fetch  string // GitFetch, e.g. "refs/heads/master"; empty to fetch by commit only
	Commit string // GitCommit: a full 40- or 64-character hex commit id
}

// Cache is a directory of bare git repositories, one per GitRepo. It is
// safe for concurrent use by goroutines and by processes sharing the
// directory.
type Cache struct {
	dir     string
	opts    options
	env     []string // git's environment, taken at Open
	flight  singleflight.Group
	present sync.Map  // Ensure keys already present: no git at all next time
	failed  *failures // repositories that could not be fetched from lately
}

// Open returns the cache in dir, creating dir if needed. It fails if the
// git binary cannot be found. git runs with the environment of the process
// at Open (credential helpers, proxies and GIT_CONFIG_* apply), less the
// variables that would point it at another repository.
func Open(dir string, opts ...Option) (*Cache, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, errors.New("gitsource.Open: empty cache directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("git cache %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating git cache: %w", err)
	}
	if _, err := exec.LookPath(o.git); err != nil {
		return nil, fmt.Errorf("git binary %q: %w", o.git, err)
	}
	return &Cache{dir: abs, opts: o, env: gitEnv(), failed: newFailures(o.failureTTL)}, nil
}

// Dir returns the cache's absolute directory.
func (c *Cache) Dir() string { return c.dir }

// Ensure makes src.Commit present in the cache and returns it. If the
// commit is already there, Ensure does no network access. Otherwise it
// fetches the commit by id and, if the server refuses that, fetches
// src.Fetch, keeping the commit reachable under refs/brewkit/ so it is never
// garbage-collected. Concurrent calls for the same repository and commit
// share one fetch; a caller whose ctx ends stops waiting, but the shared
// fetch goes on, bounded by [WithFetchTimeout].
//
// A commit that is still missing after fetching returns a
// *[CommitNotFoundError]; a repository that could not be fetched from
// (it did not answer, or the fetch timed out) returns a *[FetchError], and
// so, at once, do the next calls for that GitRepo within [WithFailureTTL],
// unless their commit is present.
func (c *Cache) Ensure(ctx context.Context, src Source) (*Commit, error) {
	rem, err := c.parseSource(src)
	if err != nil {
		return nil, err
	}
	key := rem.key + "\x00" + src.Commit
	if _, ok := c.present.Load(key); !ok {
		if err := c.ensureShared(ctx, key, rem, src); err != nil {
			return nil, err
		}
	}
	return &Commit{id: src.Commit, src: src, repo: rem.display, git: c.runner(rem)}, nil
}

// ensureShared runs ensure once for concurrent callers with the same
// source, detached from any one caller's cancellation, and records success
// under key so later calls skip git entirely.
func (c *Cache) ensureShared(ctx context.Context, key string, rem remote, src Source) error {
	ch := c.flight.DoChan(key+"\x00"+src.Fetch, func() (any, error) {
		err := c.ensure(context.WithoutCancel(ctx), rem, src)
		if err == nil {
			c.present.Store(key, struct{}{})
		}
		return nil, err
	})
	select {
	case <-ctx.Done():
		return fmt.Errorf("ensuring %s in %s: %w", src.Commit, rem.display, context.Cause(ctx))
	case res := <-ch:
		return res.Err
	}
}

var fullCommit = regexp.MustCompile(`^(?:[0-9a-f]{40}|[0-9a-f]{64})$`)

// parseSource validates src and parses its repository, rewriting
// git://github.com/ to https:// with a warning.
func (c *Cache) parseSource(src Source) (remote, error) {
	if !fullCommit.MatchString(src.Commit) {
		return remote{}, fmt.Errorf("GitCommit %q: want a full 40- or 64-character lowercase hex commit id", src.Commit)
	}
	if src.Fetch != "" && !validFetchRef(src.Fetch) {
		return remote{}, fmt.Errorf("GitFetch %q: want a ref such as refs/heads/main", src.Fetch)
	}
	return c.parseRepo(src.Repo)
}

// parseRepo parses a GitRepo, rewriting git://github.com/ to https://
// with a warning.
func (c *Cache) parseRepo(repo string) (remote, error) {
	rewritten, ok := rewriteGitHub(strings.TrimSpace(repo))
	if ok {
		c.opts.logger.Warn("insecure protocol git:// rewritten to https://", "repo", manifest.RedactGitRepo(repo))
	}
	return parseRemote(rewritten)
}

// validFetchRef accepts refs/… names that are safe in a refspec.
func validFetchRef(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".lock") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "//") || strings.Contains(ref, "@{") {
		return false
	}
	return !strings.ContainsFunc(ref, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`:?*[\^~`, r)
	})
}

// runner returns the git runner for rem's repository.
func (c *Cache) runner(rem remote) runner {
	return runner{bin: c.opts.git, gitDir: filepath.Join(c.dir, rem.slug), env: c.env}
}
