package builder

import (
	"fmt"
	"time"

	"github.com/brewkit/brewkit/builder/internal/lru"
)

// LookupCache remembers, for a while, the build ids a staging registry
// said it had, so that the builds after the first look each up once per
// MaxAge rather than once per build. A staging tag is content-addressed
// (the build id names its inputs) and brewkit never moves one, so what
// it names does not change; only a registry that deletes it makes the
// answer stale, and MaxAge bounds for how long. This is the production
// pipeline's cache of found staging images (meta-scripts' builds.sh
// --cache), kept in memory. A LookupCache is safe for concurrent use; an
// [Executor] shares one through its LookupCache field.
//
//	found, err := builder.NewLookupCache(16384, time.Hour)
//	exec := &builder.Executor{Staging: staging, Registry: reg, LookupCache: found}
type LookupCache struct {
	found *lru.Expiring[string, string] // the staged digest, by "repo:buildID"
}

// NewLookupCache returns a LookupCache of at most size build ids, each
// trusted for maxAge; both must be positive.
func NewLookupCache(size int, maxAge time.Duration) (*LookupCache, error) {
	if size <= 0 || maxAge <= 0 {
		return nil, fmt.Errorf("builder: a lookup cache of %d build ids trusted for %s; want both positive", size, maxAge)
	}
	return &LookupCache{found: lru.NewExpiring[string, string](size, maxAge)}, nil
}

// get returns the digest ref ("repo:buildID") was found staged with, if
// that was less than MaxAge ago.
func (c *LookupCache) get(ref string) (string, bool) {
	if c == nil {
		return "", false
	}
	return c.found.Get(ref)
}

// add notes that ref is staged with digest.
func (c *LookupCache) add(ref, digest string) {
	if c != nil {
		c.found.Add(ref, digest)
	}
}
