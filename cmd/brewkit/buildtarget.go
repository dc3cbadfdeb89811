package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/localdaemon"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// buildTarget is where `brewkit build` runs and where its images go: the
// workers, and either a registry's staging repositories or an OCI layout.
type buildTarget struct {
	workers []workers.Worker
	staging string          // the staging prefix, when images go to a registry
	layout  *builder.Layout // when they go to a directory
	partial bool            // --partial: tag the layout without the arches that did not build
	daemon  *localdaemon.Daemon
}

// target sets the build up: the workers given, which need a registry; or,
// with none, the local buildkitd with emulation allowed, and a registry
// only when one is given, else the --output layout.
func (o *buildOptions) target(cmd *cobra.Command) (*buildTarget, error) {
	if o.farm.given() {
		return o.farmTarget(cmd)
	}
	registry := o.farm.registry
	if (registry != "" || o.staging != "") && cmd.Flags().Changed("output") {
		return nil, errors.New("--output is for builds without a registry; with --registry, $BREWKIT_REGISTRY or --staging the images go to the registry")
	}
	d, err := localdaemon.Find(cmd.Context(), localdaemon.WithEnv(o.getenv), localdaemon.WithRoot(filepath.Join(o.cache, "buildkitd")))
	if errors.Is(err, localdaemon.ErrNoDaemon) {
		return nil, fmt.Errorf("%w; or build on workers with --workers FILE or --worker ARCH=ADDRESS", err)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "using buildkitd at %s\n", d)
	o.allowEmulation = true
	t := &buildTarget{workers: []workers.Worker{d.Worker}, daemon: d, partial: o.pub.partial}
	switch {
	case o.staging != "":
		t.staging = o.staging
	case registry != "":
		t.staging = registry + "/brewkit/staging"
	default:
		if t.layout, err = builder.OpenLayout(o.output); err != nil {
			return nil, errors.Join(fmt.Errorf("--output: %w", err), t.close())
		}
	}
	return t, nil
}

// farmTarget is the target of --workers and --worker: unchanged from
// before there was a local mode, they stage in a registry.
func (o *buildOptions) farmTarget(cmd *cobra.Command) (*buildTarget, error) {
	if cmd.Flags().Changed("output") {
		return nil, errors.New("--output is for builds on the local buildkitd; workers push to the registry")
	}
	ws, registry, err := o.farm.load()
	if err != nil {
		return nil, err
	}
	staging := o.staging
	if staging == "" {
		if registry == "" {
			return nil, errors.New("no registry to stage images in: give --registry, a workers file with a registry, or --staging")
		}
		staging = registry + "/brewkit/staging"
	}
	return &buildTarget{workers: ws, staging: staging}, nil
}

// restrict narrows sel, for the local buildkitd, to the arches it can
// build natively or emulated: the platforms it advertises (so a Linux
// daemon skips Windows, and arches without QEMU binfmt). With workers it
// is sel.
func (t *buildTarget) restrict(sel func(*manifest.Entry, string) (bool, string)) func(*manifest.Entry, string) (bool, string) {
	if t.daemon == nil {
		return sel
	}
	var names []string
	for _, p := range t.daemon.Platforms {
		names = append(names, platforms.Format(p))
	}
	return func(e *manifest.Entry, arch string) (bool, string) {
		if sel != nil {
			if ok, why := sel(e, arch); !ok {
				return false, why
			}
		}
		if !slices.ContainsFunc(t.daemon.Platforms, func(p ocispec.Platform) bool { return platforms.Matches(arch, p) }) {
			return false, fmt.Sprintf("the local buildkitd cannot build %s, even emulated (it offers %s)", arch, strings.Join(names, ", "))
		}
		return true, ""
	}
}

// tag names the images of report in the layout's index.json, if any, and
// says which tags it held back (or, with --partial, wrote without an
// arch) and which jobs made it so. The build's report fails the run.
func (t *buildTarget) tag(ctx context.Context, stderr io.Writer, report *scheduler.Report) error {
	if t.layout == nil {
		return nil
	}
	sum, err := t.layout.Tag(ctx, report, t.partial)
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	fmt.Fprintf(stderr, "%d tag(s) in the OCI image layout %s\n", len(sum.Written), t.layout.Dir())
	for _, h := range sum.Held {
		fmt.Fprintf(stderr, "held back %s\n", h)
	}
	for _, p := range sum.Partial {
		fmt.Fprintf(stderr, "written without an arch (--partial) %s\n", p)
	}
	return nil
}

// close closes the layout and stops a buildkitd brewkit started.
func (t *buildTarget) close() error {
	var errs []error
	if t.layout != nil {
		errs = append(errs, t.layout.Close())
	}
	if err := t.daemon.Stop(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
