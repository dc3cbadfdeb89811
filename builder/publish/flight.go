package publish

import (
	"context"
	"errors"
	"sync"
)

// errFlightClosed is what do returns once the flight is closed.
var errFlightClosed = errors.New("publish: the run is over")

// flight runs one function per key at a time and remembers its value:
// concurrent callers of the same key share one call, later callers get
// the value at once. An error is handed to the callers that waited for it
// and then forgotten, so that the next caller tries again.
//
// The call belongs to no caller: it runs in its own goroutine, under a
// context of its own (the first caller's values, none of its deadline or
// cancellation), which only close cancels. A caller whose context ends
// stops waiting and gets its context's error; the call goes on for the
// others, and its value is remembered for later callers. So the owner of
// a flight (a [run]) closes it when the callers are done.
type flight[V any] struct {
	mu     sync.Mutex
	calls  map[string]*call[V]
	closed bool
	works  sync.WaitGroup // the running calls
}

type call[V any] struct {
	done   chan struct{} // closed when v and err are set
	cancel context.CancelFunc
	v      V
	err    error
}

// do returns the value of key, running fn for it unless a call is running
// or succeeded. fn gets the call's context and must use it, never ctx.
// do returns when the call ends or ctx does.
func (f *flight[V]) do(ctx context.Context, key string, fn func(context.Context) (V, error)) (V, error) {
	c, err := f.join(ctx, key, fn)
	if err != nil {
		var zero V
		return zero, err
	}
	select {
	case <-c.done: // a remembered value, even for a caller whose ctx is done
		return c.v, c.err
	default:
	}
	select {
	case <-c.done:
		return c.v, c.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// join returns key's call, starting one unless one is running or
// succeeded. A caller whose ctx is done starts none.
func (f *flight[V]) join(ctx context.Context, key string, fn func(context.Context) (V, error)) (*call[V], error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.calls[key]; ok {
		return c, nil
	}
	if f.closed {
		return nil, errFlightClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.calls == nil {
		f.calls = map[string]*call[V]{}
	}
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &call[V]{done: make(chan struct{}), cancel: cancel}
	f.calls[key] = c
	f.works.Add(1)
	go f.run(cctx, key, c, fn)
	return c, nil
}

// run is c's goroutine. A failure, or a value computed under a context
// that close cancelled, is not remembered.
func (f *flight[V]) run(ctx context.Context, key string, c *call[V], fn func(context.Context) (V, error)) {
	defer f.works.Done()
	v, err := fn(ctx)
	f.mu.Lock()
	c.v, c.err = v, err
	if err != nil || ctx.Err() != nil {
		delete(f.calls, key)
	}
	f.mu.Unlock()
	c.cancel()
	close(c.done)
}

// close cancels the running calls and waits for them to return; do then
// fails with errFlightClosed, remembered values aside. Close is idempotent.
func (f *flight[V]) close() {
	f.mu.Lock()
	f.closed = true
	for _, c := range f.calls {
		c.cancel()
	}
	f.mu.Unlock()
	f.works.Wait()
}
