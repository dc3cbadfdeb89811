package builder

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// DefaultProbeTimeout bounds each probe unless [WithProbeTimeout] says
// otherwise.
const DefaultProbeTimeout = 5 * time.Second

// maxConcurrentProbes bounds the probes ProbeAll runs at once.
const maxConcurrentProbes = 32

// WorkerStatus is what a probe found out about a worker.
type WorkerStatus struct {
	// Worker is the worker probed.
	Worker workers.Worker
	// Up reports whether the worker answered. A worker that is up may still
	// lack some of its arches; see MissingArches.
	Up bool
	// Err says why the worker is not up: a *[ProbeError], or the error of
	// [workers.Validate] for a worker that is not valid. Nil when it is up.
	Err error
	// Platforms are the platforms the worker advertises, in its order,
	// without duplicates. A BuildKit daemon lists its own platform first,
	// then those it can emulate.
	Platforms []ocispec.Platform
	// BuildKitVersion is the daemon's version, such as "v0.34.2".
	BuildKitVersion string
	// MissingArches are the Worker's arches that none of Platforms matches
	// (see [platforms.Matches]): the worker claims them but cannot build them.
	MissingArches []string
}

// ProbeError says which worker a probe failed on, and why.
type ProbeError struct {
	Worker workers.Worker
	Err    error
}

// Error names the worker and its address, then the cause.
func (e *ProbeError) Error() string {
	return fmt.Sprintf("worker %q at %s: %v", e.Worker.Name, e.Worker.Address, e.Err)
}

// Unwrap returns the cause.
func (e *ProbeError) Unwrap() error { return e.Err }

// OK reports whether the worker is up and advertises every arch it claims.
func (s WorkerStatus) OK() bool {
	return s.Up && len(s.MissingArches) == 0
}

// ProbeOption configures Probe and ProbeAll.
type ProbeOption func(*probeOptions) error

type probeOptions struct {
	timeout time.Duration
}

// WithProbeTimeout bounds each probe to d, which must be positive. The
// default is [DefaultProbeTimeout].
func WithProbeTimeout(d time.Duration) ProbeOption {
	return func(o *probeOptions) error {
		if d <= 0 {
			return fmt.Errorf("probe timeout %s: want a positive duration", d)
		}
		o.timeout = d
		return nil
	}
}

func makeProbeOptions(opts []ProbeOption) (probeOptions, error) {
	o := probeOptions{timeout: DefaultProbeTimeout}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return probeOptions{}, err
		}
	}
	return o, nil
}

// Probe asks w for its BuildKit version and its platforms, within the probe
// timeout. It reports every failure, including a bad option, in the status:
// Up false and Err saying why. When the timeout expires, the
// cause says so ("no answer within 5s").
func Probe(ctx context.Context, w workers.Worker, opts ...ProbeOption) WorkerStatus {
	s := WorkerStatus{Worker: w}
	if err := workers.Validate([]workers.Worker{w}); err != nil {
		s.Err = err
		return s
	}
	o, err := makeProbeOptions(opts)
	if err != nil {
		s.Err = &ProbeError{Worker: w, Err: err}
		return s
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("no answer within %s", o.timeout))
	defer cancel()
	if err := s.ask(ctx); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", context.Cause(ctx), err)
		}
		s.Err = &ProbeError{Worker: w, Err: err}
		return s
	}
	s.Up = true
	return s
}

// ask fills in s from the daemon.
func (s *WorkerStatus) ask(ctx context.Context) error {
	d, err := newDialer(s.Worker)
	if err != nil {
		return err
	}
	c, err := connect(ctx, s.Worker, d)
	if err != nil {
		return err
	}
	defer c.Close()
	// A failed connection surfaces as the text of an Unavailable status;
	// report the dial error itself, which callers can test with errors.Is.
	explain := func(err error) error {
		if dialErr := d.err(); dialErr != nil {
			return fmt.Errorf("cannot connect: %w", dialErr)
		}
		return err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return explain(err)
	}
	infos, err := c.ListWorkers(ctx)
	if err != nil {
		return explain(err)
	}
	s.BuildKitVersion = info.BuildkitVersion.Version
	s.Platforms = advertised(infos)
	s.MissingArches = missing(s.Worker.Arches, s.Platforms)
	return nil
}

// advertised returns the platforms of infos, in order, without duplicates.
func advertised(infos []*client.WorkerInfo) []ocispec.Platform {
	var ps []ocispec.Platform
	seen := make(map[string]bool)
	for _, wi := range infos {
		for _, p := range wi.Platforms {
			if k := platforms.Format(p); !seen[k] {
				seen[k] = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// missing returns the arches that none of ps matches.
func missing(arches []string, ps []ocispec.Platform) []string {
	var out []string
	for _, a := range arches {
		if !slices.ContainsFunc(ps, func(p ocispec.Platform) bool { return platforms.Matches(a, p) }) {
			out = append(out, a)
		}
	}
	return out
}

// ProbeAll probes ws concurrently and returns their statuses in the order of
// ws. Like Probe, it reports failures in the statuses.
func ProbeAll(ctx context.Context, ws []workers.Worker, opts ...ProbeOption) []WorkerStatus {
	out := make([]WorkerStatus, len(ws))
	var g errgroup.Group
	g.SetLimit(maxConcurrentProbes)
	for i, w := range ws {
		g.Go(func() error {
			out[i] = Probe(ctx, w, opts...)
			return nil
		})
	}
	_ = g.Wait() // a probe reports failure in its status, never as an error
	return out
}
