package builder

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// externals remembers, for one run, what each external FROM resolved to
// for each arch: many jobs share a base (FROM debian:bookworm), so it is
// looked up once, and every job of the run sees the same digest even if
// the tag moves meanwhile. Failures are not remembered.
type externals struct {
	flight singleflight.Group
	mu     sync.Mutex
	done   map[string]external
}

type external struct{ pinned, digest string }

// externalTimeout bounds one shared lookup of an external FROM, which no
// single job's cancellation stops.
const externalTimeout = 5 * time.Minute

// resolve returns ref's manifest for arch, asking reg at most once per
// (ref, arch) while an answer is being fetched or after one succeeded.
// The lookup is shared work: it runs under a context of its own (the
// first caller's values, bounded by externalTimeout), so that a job that
// fails or is cancelled meanwhile fails no other job waiting for it; a
// caller whose ctx ends just stops waiting.
func (x *externals) resolve(ctx context.Context, reg *Registry, ref, arch string) (pinned, digest string, err error) {
	key := ref + "\x00" + arch
	if e, ok := x.known(key); ok {
		return e.pinned, e.digest, nil
	}
	ch := x.flight.DoChan(key, func() (any, error) {
		if e, ok := x.known(key); ok {
			return e, nil
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), externalTimeout)
		defer cancel()
		p, d, err := reg.PlatformManifest(lctx, ref, arch)
		if err != nil {
			return nil, err
		}
		e := external{p, d}
		x.remember(key, e)
		return e, nil
	})
	select {
	case <-ctx.Done():
		return "", "", fmt.Errorf("resolving %s for %s: %w", ref, arch, context.Cause(ctx))
	case r := <-ch:
		if r.Err != nil {
			return "", "", r.Err
		}
		e := r.Val.(external)
		return e.pinned, e.digest, nil
	}
}

func (x *externals) known(key string) (external, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.done[key]
	return e, ok
}

func (x *externals) remember(key string, e external) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.done == nil {
		x.done = map[string]external{}
	}
	x.done[key] = e
}
