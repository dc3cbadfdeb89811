package builder

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/singleflight"
)

// shared runs fn once for the concurrent callers of key in g: work that
// many jobs wait for, such as a context's checksum. fn runs under a
// context of its own, with the first caller's values and bounded by
// timeout, so that a caller that is cancelled fails no other caller
// waiting for it; a caller whose ctx ends stops waiting, with an error
// saying what it waited for and wrapping ctx's cause.
func shared[T any](ctx context.Context, g *singleflight.Group, key, what string, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		return fn(sctx)
	})
	select {
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	case r := <-ch:
		if r.Err != nil {
			var zero T
			return zero, r.Err
		}
		return r.Val.(T), nil
	}
}
