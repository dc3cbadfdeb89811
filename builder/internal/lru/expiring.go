package lru

import "time"

// Expiring is a Cache whose entries also expire: an entry older than
// its maxAge is not returned, and is forgotten when asked for. It is for
// answers that are true until something else changes them, such as a
// registry's "I have this tag": trusted for a while, then asked again.
//
//	seen := lru.NewExpiring[string, string](16384, time.Hour)
//	seen.Add(ref, digest)
//	if d, ok := seen.Get(ref); ok { ... } // within the hour
type Expiring[K comparable, V any] struct {
	c      *Cache[K, stamped[V]]
	maxAge time.Duration
	now    func() time.Time
}

type stamped[V any] struct {
	val V
	at  time.Time
}

// NewExpiring returns an empty Expiring of at most max entries, each
// returned for maxAge after it was added; max and maxAge must be
// positive.
func NewExpiring[K comparable, V any](max int, maxAge time.Duration) *Expiring[K, V] {
	if maxAge <= 0 {
		panic("lru.NewExpiring: maxAge must be positive")
	}
	return &Expiring[K, V]{c: New[K, stamped[V]](max), maxAge: maxAge, now: time.Now}
}

// Get returns the value of key if it was added less than maxAge ago.
func (e *Expiring[K, V]) Get(key K) (V, bool) {
	s, ok := e.c.Get(key)
	if !ok || e.now().Sub(s.at) >= e.maxAge {
		if ok {
			e.c.Remove(key)
		}
		var zero V
		return zero, false
	}
	return s.val, true
}

// Add sets the value of key, to be returned for maxAge from now.
func (e *Expiring[K, V]) Add(key K, val V) { e.c.Add(key, stamped[V]{val: val, at: e.now()}) }

// Remove forgets key.
func (e *Expiring[K, V]) Remove(key K) { e.c.Remove(key) }

// Len is the number of entries, expired ones included.
func (e *Expiring[K, V]) Len() int { return e.c.Len() }
