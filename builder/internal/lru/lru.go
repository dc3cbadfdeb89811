// Package lru is a map of bounded size that forgets its least recently
// used entry to make room.
//
//	sums := lru.New[string, string](4096)
//	sums.Add(key, sum)
//	if sum, ok := sums.Get(key); ok { ... } // key is now the most recent
package lru

import (
	"container/list"
	"sync"
)

// Cache holds at most a fixed number of entries. It is safe for
// concurrent use.
type Cache[K comparable, V any] struct {
	max   int
	mu    sync.Mutex
	order *list.List // of *entry[K, V], most recently used first
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty Cache of at most max entries; max must be positive.
func New[K comparable, V any](max int) *Cache[K, V] {
	if max <= 0 {
		panic("lru.New: max must be positive")
	}
	return &Cache[K, V]{max: max, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value of key, making it the most recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Add sets the value of key, making it the most recently used, and
// forgets the least recently used entry if there are more than max.
func (c *Cache[K, V]) Add(key K, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*entry[K, V]).val = val
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, val: val})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*entry[K, V]).key)
	}
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Remove forgets key, if it is there.
func (c *Cache[K, V]) Remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.Remove(e)
		delete(c.items, key)
	}
}
