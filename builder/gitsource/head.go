package gitsource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Head fetches the branch of repo and returns the commit at its tip.
// repo is a GitRepo as [Cache.Ensure] takes it (a URL, user@host:path or
// a local path, checked and with its credentials handled the same way);
// branch is a branch name such as "main", fetched as refs/heads/BRANCH
// into refs/brewkit/fetch/heads/BRANCH of the cache's repository for
// repo. The commits of earlier tips stay in the cache, as every fetched
// object does (gc is off), so a Commit Head returned stays readable.
//
// Each call runs one git fetch, under the repository's lock: a branch
// that has not moved since the last call transfers no objects, so Head
// is cheap enough to poll. Calls are not shared, unlike Ensure's: each
// sees the branch as the server has it when its own fetch runs.
//
// A branch the repository does not have returns a *[BranchNotFoundError].
// A repository that could not be fetched from returns a *[FetchError],
// remembered as Ensure's are: within [WithFailureTTL], Head and Ensure of
// a commit not present fail at once with a repeat of it. A fetch stopped
// because ctx ended returns ctx's error, and is not remembered.
func (c *Cache) Head(ctx context.Context, repo, branch string) (*Commit, error) {
	ref := "refs/heads/" + branch
	if branch == "" || !validFetchRef(ref) {
		return nil, fmt.Errorf("branch %q: want a branch name such as main", branch)
	}
	return c.FetchRef(ctx, repo, ref)
}

// FetchRef is [Cache.Head] for a full ref, such as an entry's GitFetch
// ("refs/heads/main" or "refs/tags/v1.2"): it fetches ref of repo and
// returns the commit it points to. A ref the repository does not have
// returns a *[BranchNotFoundError] (Branch is the ref without
// "refs/heads/").
func (c *Cache) FetchRef(ctx context.Context, repo, ref string) (*Commit, error) {
	if !validFetchRef(ref) {
		return nil, fmt.Errorf("ref %q: want refs/heads/NAME or refs/tags/NAME", ref)
	}
	rem, err := c.parseRepo(repo)
	if err != nil {
		return nil, err
	}
	git := c.runner(rem)
	id, err := c.fetchHead(ctx, git, rem, ref)
	if err != nil {
		return nil, err
	}
	return &Commit{id: id, src: Source{Repo: repo, Fetch: ref, Commit: id}, repo: rem.display, git: git}, nil
}

// fetchHead fetches ref into the repository, under its flock, and returns
// the commit it points to. A recent failure of the repository, seen
// before or after waiting for the lock, fails it at once.
func (c *Cache) fetchHead(ctx context.Context, git runner, rem remote, ref string) (id string, err error) {
	if fe := c.failed.recent(failureKey(rem)); fe != nil {
		return "", fe
	}
	unlock, err := lockFile(ctx, git.gitDir+".lock")
	if err != nil {
		return "", err
	}
	defer func() { err = errors.Join(err, unlock()) }()
	if fe := c.failed.recent(failureKey(rem)); fe != nil { // a fetch we waited for failed
		return "", fe
	}
	if err := c.initRepo(ctx, git); err != nil {
		return "", err
	}
	local := fetchRefPrefix + strings.TrimPrefix(ref, "refs/")
	if err := c.fetch(ctx, git, rem, "+"+ref+":"+local, slog.LevelDebug); err != nil {
		return "", c.headError(ctx, rem, ref, err)
	}
	out, err := git.run(ctx, "rev-parse", "--verify", "--end-of-options", local+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("reading %s of %s: %w", ref, rem.display, err)
	}
	id = strings.TrimSpace(string(out))
	if !fullCommit.MatchString(id) {
		return "", fmt.Errorf("reading %s of %s: git rev-parse said %q", ref, rem.display, id)
	}
	return id, nil
}

// headError classifies a failed fetch of ref: the caller gave up (not the
// repository's failure), the repository has no such branch, or it could
// not be fetched from, which is remembered.
func (c *Cache) headError(ctx context.Context, rem remote, ref string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("fetching %s of %s: %w", ref, rem.display, err)
	}
	if strings.Contains(err.Error(), "couldn't find remote ref") {
		return &BranchNotFoundError{Repo: rem.display, Branch: strings.TrimPrefix(ref, "refs/heads/"), Err: err}
	}
	fe := &FetchError{Repo: rem.display, Err: err}
	c.failed.add(failureKey(rem), fe)
	return fe
}
