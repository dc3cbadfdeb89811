package publish

import (
	"context"
	"errors"
	"sync"
)

// flight runs one function per key at a time and remembers its value:
// concurrent callers of the same key wait for the first one, later callers
// get the value at once. An error is handed to the callers that waited
// for it and then forgotten, so that the next caller tries again; a waiter
// whose own context is alive tries again at once when the first caller's
// context ended the work.
type flight[V any] struct {
	mu    sync.Mutex
	calls map[string]*call[V]
}

type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// do returns the value of key, running fn for it unless another caller
// is, or did successfully. A waiting caller stops waiting when ctx is done.
func (f *flight[V]) do(ctx context.Context, key string, fn func() (V, error)) (V, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]*call[V]{}
	}
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			if c.err != nil && ctx.Err() == nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) {
				return f.do(ctx, key, fn) // the first caller gave up, not the work: try again
			}
			return c.v, c.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	c := &call[V]{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()

	c.v, c.err = fn()
	if c.err != nil {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
	}
	close(c.done)
	return c.v, c.err
}
