package source

import (
	"context"

	"github.com/brewkit/brewkit/builder/gitsource"
)

// DefaultBranch is the branch a [Watcher] follows when given none.
const DefaultBranch = "main"

// Watcher follows a branch of an official-images repository and reads its
// library when the branch moves. It is safe for concurrent use: polls run
// one at a time.
type Watcher struct {
	cache  *gitsource.Cache
	repo   string
	branch string
	turn   chan struct{} // holds a token while a poll runs
	last   *Library      // read at the last new head; nil before
}

// NewWatcher returns a Watcher of branch (by default [DefaultBranch]) of
// repo, a git URL or a local path to a git repository, fetched into cache,
// which must not be nil. Nothing is fetched until [Watcher.Poll].
func NewWatcher(cache *gitsource.Cache, repo, branch string) *Watcher {
	if branch == "" {
		branch = DefaultBranch
	}
	return &Watcher{cache: cache, repo: repo, branch: branch, turn: make(chan struct{}, 1)}
}

// Poll fetches the branch's head (see [gitsource.Cache.Head]) and, when it
// is not the commit the last successful poll read, reads the library
// there ([Read] of [LibraryDir]) and returns it with changed true. When
// the head has not moved, Poll reads nothing and returns the library read
// before, the same *Library, with changed false: callers share it, and
// must not modify it.
//
// The first poll always reads. A poll that fails returns the error (a
// *gitsource.FetchError, a *gitsource.BranchNotFoundError, or Read's) and
// no library, and changes nothing: the next poll tries again. A poll
// waiting for another one to finish stops when ctx ends.
func (w *Watcher) Poll(ctx context.Context) (lib *Library, changed bool, err error) {
	select {
	case w.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, false, context.Cause(ctx)
	}
	defer func() { <-w.turn }()
	head, err := w.cache.Head(ctx, w.repo, w.branch)
	if err != nil {
		return nil, false, err
	}
	if w.last != nil && w.last.Commit == head.ID() {
		return w.last, false, nil
	}
	if lib, err = Read(ctx, head, LibraryDir); err != nil {
		return nil, false, err
	}
	w.last = lib
	return lib, true, nil
}
