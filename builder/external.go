package builder

import (
	"context"
	"sync"

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

// resolve returns ref's manifest for arch, asking reg at most once per
// (ref, arch) while an answer is being fetched or after one succeeded.
func (x *externals) resolve(ctx context.Context, reg *Registry, ref, arch string) (pinned, digest string, err error) {
	key := ref + "\x00" + arch
	v, err, _ := x.flight.Do(key, func() (any, error) {
		if e, ok := x.known(key); ok {
			return e, nil
		}
		p, d, err := reg.PlatformManifest(ctx, ref, arch)
		if err != nil {
			return nil, err
		}
		e := external{p, d}
		x.remember(key, e)
		return e, nil
	})
	if err != nil {
		return "", "", err
	}
	e := v.(external)
	return e.pinned, e.digest, nil
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
