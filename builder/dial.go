package builder

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// Dial returns a BuildKit client for w; close it when done. It checks w as
// [workers.Validate] does and reads w's TLS files, but does not connect: the
// first request does, and fails if nobody answers. Use [Probe] to find out
// whether w answers. Errors name the worker and its address.
//
// With TLS, an empty CA means the system's roots and an empty ServerName
// the host of the address.
func Dial(ctx context.Context, w workers.Worker) (*client.Client, error) {
	if err := workers.Validate([]workers.Worker{w}); err != nil {
		return nil, err
	}
	c, err := connect(ctx, w, newDialer(w))
	if err != nil {
		return nil, fmt.Errorf("worker %q at %s: %w", w.Name, w.Address, err)
	}
	return c, nil
}

// connect is Dial for a valid w, through d, with errors that do not name w.
func connect(ctx context.Context, w workers.Worker, d *dialer) (*client.Client, error) {
	opts := append(tlsOptions(w.TLS), client.WithContextDialer(d.dial))
	return client.New(ctx, w.Address, opts...)
}

// tlsOptions turns t into BuildKit client options; nil means plain text.
func tlsOptions(t *workers.TLS) []client.ClientOpt {
	if t == nil {
		return nil
	}
	opts := []client.ClientOpt{client.WithServerConfigSystem(t.ServerName)}
	if t.CA != "" {
		opts[0] = client.WithServerConfig(t.ServerName, t.CA)
	}
	if t.Cert != "" || t.Key != "" {
		opts = append(opts, client.WithCredentials(t.Cert, t.Key))
	}
	return opts
}

// dialer connects to a worker's address and remembers the last failure,
// which gRPC reports only as text inside an Unavailable status.
type dialer struct {
	network, addr string

	mu      sync.Mutex
	lastErr error
}

// newDialer returns a dialer for the valid address of w.
func newDialer(w workers.Worker) *dialer {
	scheme, rest, _ := strings.Cut(w.Address, "://")
	return &dialer{network: scheme, addr: rest}
}

// dial is a gRPC context dialer; gRPC's idea of the address is ignored in
// favour of the worker's.
func (d *dialer) dial(ctx context.Context, _ string) (net.Conn, error) {
	var nd net.Dialer
	c, err := nd.DialContext(ctx, d.network, d.addr)
	d.mu.Lock()
	d.lastErr = err
	d.mu.Unlock()
	return c, err
}

// err returns the error of the last connection attempt, nil if it worked or
// there was none.
func (d *dialer) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}
