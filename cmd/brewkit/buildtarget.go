package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/localdaemon"
)

// targetKind says where `brewkit build` runs, checking the flags without
// touching anything: "farm" for --workers and --worker, else "local".
func (o *buildOptions) targetKind(cmd *cobra.Command) (string, error) {
	output := cmd.Flags().Changed("output")
	if o.farm.given() {
		if output {
			return "", errors.New("--output is for builds on the local buildkitd; workers push to the registry")
		}
		return "farm", nil
	}
	if (o.farm.registry != "" || o.staging != "") && output {
		return "", errors.New("--output is for builds without a registry; with --registry, $BREWKIT_REGISTRY or --staging the images go to the registry")
	}
	if (o.pub.to != "" || o.dryRun) && o.farm.registry == "" && o.staging == "" {
		return "", errors.New("--push and --dry-run need a registry (--registry, a workers file with one, or --staging): a local build writes an OCI layout instead")
	}
	return "local", nil
}

// target sets the build up: the workers given, which need a registry; or,
// with none, the local buildkitd, and a registry only when one is given,
// else the --output layout.
func (o *buildOptions) target(cmd *cobra.Command) (*engine.Target, error) {
	kind, err := o.targetKind(cmd)
	if err != nil {
		return nil, err
	}
	if kind == "farm" {
		ws, registry, err := o.farm.load()
		if err != nil {
			return nil, err
		}
		if registry == "" && o.staging == "" {
			return nil, errors.New("no registry to stage images in: give --registry, a workers file with a registry, or --staging")
		}
		t, err := engine.Farm(ws, registry, o.staging)
		if err != nil {
			return nil, err
		}
		t.Emulate = o.allowEmulation
		return t, nil
	}
	t, err := engine.Local(cmd.Context(), engine.LocalOptions{Getenv: o.getenv, Root: filepath.Join(o.cache, "buildkitd"),
		Registry: o.farm.registry, Staging: o.staging, Output: o.output})
	if errors.Is(err, localdaemon.ErrNoDaemon) {
		return nil, fmt.Errorf("%w; or build on workers with --workers FILE or --worker ARCH=ADDRESS", err)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "using buildkitd at %s\n", t.Daemon())
	return t, nil
}
