package publish

import (
	"fmt"
	"time"

	"github.com/brewkit/brewkit/builder/internal/lru"
)

// TagCache remembers, for a while, the index each published tag was
// found with or written, so that the Publishes after the first need not
// ask the registry again about a tag whose index has not changed: a
// daemon publishing the whole library after every run reports those up
// to date without a HEAD each. A tag whose index changed is always asked
// about and written; one that somebody else moved is set right once its
// entry is older than MaxAge. This is the production pipeline's filter
// of the deploy objects the last successful run pushed, with an age
// limit. A TagCache is safe for concurrent use.
//
//	tags, err := publish.NewTagCache(65536, time.Hour)
//	p, err := publish.New(publish.WithTagCache(tags))
type TagCache struct {
	tags *lru.Expiring[string, found] // by target reference
}

// NewTagCache returns a TagCache of at most size tags, each trusted for
// maxAge; both must be positive.
func NewTagCache(size int, maxAge time.Duration) (*TagCache, error) {
	if size <= 0 || maxAge <= 0 {
		return nil, fmt.Errorf("publish: a tag cache of %d tags trusted for %s; want both positive", size, maxAge)
	}
	return &TagCache{tags: lru.NewExpiring[string, found](size, maxAge)}, nil
}

// has reports whether ref was seen with idx's index less than MaxAge ago.
func (c *TagCache) has(ref string, idx *index) bool {
	if c == nil {
		return false
	}
	f, ok := c.tags.Get(ref)
	return ok && f.Digest == idx.Digest && f.Size == int64(len(idx.Raw))
}

// add notes that ref has idx's index.
func (c *TagCache) add(ref string, idx *index) {
	if c != nil {
		c.tags.Add(ref, found{Digest: idx.Digest, Size: int64(len(idx.Raw))})
	}
}
