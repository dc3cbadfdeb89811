package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/localdaemon"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Target is where an Engine's jobs run and where their images go: the
// workers, and either a registry's staging repositories or an OCI layout.
// [Farm] and [Local] make the two kinds brewkit build knows.
type Target struct {
	// Workers are the BuildKit daemons jobs run on.
	Workers []workers.Worker
	// Staging is the staging repository prefix: a job for ARCH is kept at
	// Staging-ARCH:BUILDID. Empty when Layout is set, or when the target
	// only plans.
	Staging string
	// Layout, if set, receives the images instead of a registry.
	Layout *builder.Layout
	// Emulate lets a job whose architecture no worker builds natively run
	// on any worker, under QEMU.
	Emulate bool

	daemon *localdaemon.Daemon // the local buildkitd, for a Local target
}

// DefaultStaging is the staging prefix on registry when none is given,
// as in "127.0.0.1:5000/brewkit/staging".
func DefaultStaging(registry string) string {
	if registry == "" {
		return ""
	}
	return registry + "/brewkit/staging"
}

// Farm is the target of a set of workers, which stage their images in a
// registry: staging, else registry's [DefaultStaging]. Without either it
// can plan but not build.
func Farm(ws []workers.Worker, registry, staging string) (*Target, error) {
	if staging == "" {
		staging = DefaultStaging(registry)
	}
	t := &Target{Workers: ws, Staging: staging}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

// LocalOptions say how [Local] finds its buildkitd and where images go.
type LocalOptions struct {
	// Getenv supplies $BUILDKIT_HOST and the rest; nil means none is set.
	Getenv func(string) string
	// Root is where a buildkitd that brewkit starts keeps its state.
	Root string
	// Staging, or else Registry, sends the images to a registry (as
	// [Farm] does); with neither, they go into the OCI layout Output.
	Registry, Staging string
	Output            string
}

// Local is the target of a build on this machine: the buildkitd
// $BUILDKIT_HOST names, else the one on the default socket, else one it
// starts (stopped by Close). That daemon builds the host's architecture
// natively and the rest emulated, so Emulate is set.
func Local(ctx context.Context, opts LocalOptions) (*Target, error) {
	staging := opts.Staging
	if staging == "" {
		staging = DefaultStaging(opts.Registry)
	}
	if err := CheckStaging(staging); err != nil {
		return nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	d, err := localdaemon.Find(ctx, localdaemon.WithEnv(getenv), localdaemon.WithRoot(opts.Root))
	if err != nil {
		return nil, err
	}
	t := &Target{Workers: []workers.Worker{d.Worker}, Staging: staging, Emulate: true, daemon: d}
	if staging == "" {
		if t.Layout, err = builder.OpenLayout(opts.Output); err != nil {
			return nil, errors.Join(fmt.Errorf("OCI layout %s: %w", filepath.Clean(opts.Output), err), t.Close())
		}
	}
	return t, nil
}

// Daemon is the local buildkitd of a [Local] target, else nil.
func (t *Target) Daemon() *localdaemon.Daemon { return t.daemon }

// check refuses a target that cannot be: a staging prefix that is no
// repository name, or both a registry and a layout.
func (t *Target) check() error {
	if t.Staging != "" && t.Layout != nil {
		return errors.New("a target keeps its images in a registry (Staging) or a layout (Layout), not both")
	}
	if err := workers.Validate(t.Workers); len(t.Workers) > 0 && err != nil {
		return err
	}
	return CheckStaging(t.Staging)
}

// CheckStaging checks that a staging prefix names repositories: that
// prefix-ARCH:BUILDID names an image. Empty is allowed (no registry).
func CheckStaging(prefix string) error {
	if prefix == "" {
		return nil
	}
	if _, err := name.NewTag(prefix+"-amd64:x", name.StrictValidation); err != nil {
		return fmt.Errorf("staging prefix %q: want a repository such as 127.0.0.1:5000/brewkit/staging: %w", prefix, err)
	}
	return nil
}

// canBuild says why t cannot build, or nil when it can.
func (t *Target) canBuild() error {
	if t.Staging == "" && t.Layout == nil {
		return errors.New("no place for the images: a registry to stage them in (a staging prefix, or a registry) or an OCI layout")
	}
	if len(t.Workers) == 0 {
		return errors.New("no workers to build on")
	}
	return nil
}

// Close closes the layout and stops a buildkitd brewkit started.
func (t *Target) Close() error {
	var errs []error
	if t.Layout != nil {
		errs = append(errs, t.Layout.Close())
	}
	if err := t.daemon.Stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
