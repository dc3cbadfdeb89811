package localdaemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// ErrNoDaemon is wrapped by Find's error when $BUILDKIT_HOST is not set,
// nothing answers on the default socket, and there is no buildkitd binary
// to start.
var ErrNoDaemon = errors.New("no BuildKit daemon")

// probeTimeout bounds each probe of an existing daemon.
const probeTimeout = 5 * time.Second

// Origin says where Find found the daemon.
type Origin int

const (
	// FromEnv is the daemon $BUILDKIT_HOST names.
	FromEnv Origin = iota + 1
	// DefaultSocket is the daemon on the default socket.
	DefaultSocket
	// Started is a buildkitd Find started.
	Started
)

// Daemon is the BuildKit daemon Find chose.
type Daemon struct {
	// Worker is the daemon as a worker named "local", whose Arches are the
	// architecture it builds natively: the first platform it advertises
	// (for a started daemon, the host's).
	Worker workers.Worker
	// Platforms are the platforms the daemon advertises, its own first,
	// then those it can emulate.
	Platforms []ocispec.Platform
	// Origin says where it came from.
	Origin Origin
	// Pid is the process id of a started daemon, else 0.
	Pid int
	// Root is the root of a started daemon, else "".
	Root string

	proc *process // nil unless started
}

// String describes the daemon for a log line, such as
// "unix:///run/brewkit/buildkitd-1/buildkitd.sock (started by brewkit, pid 4242)".
func (d *Daemon) String() string {
	switch d.Origin {
	case FromEnv:
		return d.Worker.Address + " ($BUILDKIT_HOST)"
	case DefaultSocket:
		return d.Worker.Address + " (the default socket)"
	}
	return fmt.Sprintf("%s (started by brewkit, pid %d)", d.Worker.Address, d.Pid)
}

// Start starts a buildkitd of its own from the binary bin, as Find does
// when there is no daemon to use, and waits until it answers. Stop it with
// [Daemon.Stop].
func Start(ctx context.Context, bin string, opts ...Option) (*Daemon, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	return o.start(ctx, bin)
}

// Kill kills a daemon Find or Start started with SIGKILL, as a crash would,
// and waits for it; its socket file stays until Stop removes its
// directory. For any other daemon it does nothing.
func (d *Daemon) Kill() error {
	if d == nil || d.proc == nil {
		return nil
	}
	if err := d.proc.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing buildkitd (pid %d): %w", d.Pid, err)
	}
	<-d.proc.exited
	return nil
}

// Stop stops a daemon Find started and removes its directory; for any
// other daemon it does nothing. It is idempotent and safe to call on a nil
// Daemon.
func (d *Daemon) Stop() error {
	if d == nil || d.proc == nil {
		return nil
	}
	return d.proc.stop()
}

// Find returns the daemon to build on: $BUILDKIT_HOST's, the default
// socket's, or a buildkitd it starts (see the package doc). The error wraps
// [ErrNoDaemon] when there is none of the three; it names the address when
// $BUILDKIT_HOST's daemon does not answer, and carries the end of its log
// when a started daemon does not come up.
func Find(ctx context.Context, opts ...Option) (*Daemon, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	if host := o.getenv("BUILDKIT_HOST"); host != "" {
		d, err := o.existing(ctx, host, FromEnv)
		if err != nil {
			return nil, fmt.Errorf("BUILDKIT_HOST=%s: %w", host, err)
		}
		return d, nil
	}
	d, defaultErr := o.existing(ctx, o.defaultAddr, DefaultSocket)
	if defaultErr == nil {
		return d, nil
	}
	bin, err := o.binary()
	if err != nil {
		return nil, fmt.Errorf("%w: BUILDKIT_HOST is not set, nothing answers at %s (%v), and %w; "+
			"install buildkitd (and runc), or set BUILDKIT_HOST to a running daemon", ErrNoDaemon, o.defaultAddr, defaultErr, err)
	}
	return o.start(ctx, bin)
}

// existing returns the daemon at addr if it answers.
func (o options) existing(ctx context.Context, addr string, origin Origin) (*Daemon, error) {
	if !strings.HasPrefix(addr, "unix://") && !strings.HasPrefix(addr, "tcp://") {
		return nil, fmt.Errorf("unsupported address %q: brewkit talks to unix:///PATH and tcp://HOST:PORT", addr)
	}
	w, err := o.worker(addr)
	if err != nil {
		return nil, err
	}
	s := builder.Probe(ctx, w, builder.WithProbeTimeout(probeTimeout))
	if !s.Up {
		return nil, s.Err
	}
	if len(s.Platforms) > 0 {
		if arch, err := platforms.FromOCI(s.Platforms[0]); err == nil {
			w.Arches = []string{arch}
		}
	}
	return &Daemon{Worker: w, Platforms: s.Platforms, Origin: origin}, nil
}

// worker describes the daemon at addr, for the host's architecture or the
// one WithArch gave.
func (o options) worker(addr string) (workers.Worker, error) {
	arch, err := o.arch, error(nil)
	if arch == "" {
		arch, err = platforms.Host()
	}
	if err != nil {
		return workers.Worker{}, err
	}
	w := workers.Worker{Name: "local", Address: addr, Arches: []string{arch}, Concurrency: o.concurrency}
	if err := workers.Validate([]workers.Worker{w}); err != nil {
		return workers.Worker{}, err
	}
	return w, nil
}
