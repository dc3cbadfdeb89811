package builder

import (
	"context"
	"fmt"
	"sync"

	"github.com/moby/buildkit/client"
)

// buildkitVersions remembers the BuildKit version of each connection, so
// that a worker is asked once per connection, not once per build. A
// connection that is dropped and redialled is asked again; the few
// dropped ones it keeps are not worth forgetting.
type buildkitVersions struct {
	mu   sync.Mutex
	seen map[*client.Client]string
}

// of returns the version of the BuildKit c is connected to, such as
// "v0.34.2". A failure is not remembered: the next call asks again.
func (v *buildkitVersions) of(ctx context.Context, c *client.Client) (string, error) {
	v.mu.Lock()
	version, ok := v.seen[c]
	v.mu.Unlock()
	if ok {
		return version, nil
	}
	info, err := c.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("asking BuildKit its version: %w", err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[*client.Client]string{}
	}
	v.seen[c] = info.BuildkitVersion.Version
	return info.BuildkitVersion.Version, nil
}
