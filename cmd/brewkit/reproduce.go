package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/reproduce"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/record"
)

type reproduceOptions struct {
	*globalOptions
	farm           farmOptions
	cache          string
	record         string
	platforms      []string
	allowEmulation bool
	format         string
	reportDir      string
}

func newReproduceCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &reproduceOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "reproduce REGISTRY/NAMESPACE/REPO:TAG",
		Short: "Rebuild a published tag from its recorded inputs and say, platform by platform, whether it is the same",
		Long: `Rebuild a published tag from its recorded inputs and say, platform by
platform, whether it is the same, and if not, where.

The inputs of each platform come from --record (a build record, as
brewkit build --metadata-file writes it) or else from the image's
annotations (source REPO#COMMIT:DIR, revision, created, arch, base name
and digest) with the library entry of the tag (--library) for GitFetch,
File and Builder. Parents are pinned to the recorded digests. Each
platform is rebuilt once, on a native worker (emulated only with
--allow-emulation), into a scratch OCI layout, with BuildKit's cache not
consulted, then compared: identical (the same manifest digest),
equivalent (different only by the normalizations listed), differs (the
config fields, the first layer that differs and its instruction, every
file that differs), or rebuild-failed.

Exit status: 0 when every platform is identical or equivalent, 1 when one
differs or failed to rebuild, 2 for bad usage or unreadable inputs.`,
		Example: `  brewkit reproduce 127.0.0.1:5000/library/busybox:latest --workers .farm/workers.yaml
  brewkit reproduce 127.0.0.1:5000/library/busybox:latest --record build.json --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &exitError{2, fmt.Errorf("reproduce takes one image reference, REGISTRY/NAMESPACE/REPO:TAG; got %d arguments", len(args))}
			}
			return nil
		},
		RunE: o.run,
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{2, err} })
	f := cmd.Flags()
	f.StringVar(&o.record, "record", "", "the build record of the build that made the image (brewkit build --metadata-file)")
	f.StringArrayVar(&o.platforms, "platform", nil, "reproduce only this platform, such as linux/arm64/v8 or arm64v8 (repeatable)")
	f.BoolVar(&o.allowEmulation, "allow-emulation", false, "rebuild a platform that no worker builds natively on any worker, emulated")
	f.StringVar(&o.format, "format", "text", "the report's format: text or json")
	f.StringVar(&o.reportDir, "report-dir", "", "write both versions of every file that differs under this directory")
	f.StringVar(&o.cache, "cache", defaultCache(getenv), "cache directory: git sources go in its git/ ($BREWKIT_CACHE)")
	o.farm.register(f, getenv)
	return cmd
}

// exitError is an error with the exit status it gives.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func (o *reproduceOptions) run(cmd *cobra.Command, args []string) error {
	opts, closeEngine, err := o.options()
	if err != nil {
		return &exitError{2, err}
	}
	defer closeEngine()
	rep, err := reproduce.Reproduce(cmd.Context(), args[0], opts)
	if err != nil {
		return &exitError{2, err}
	}
	if o.format == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(cmd.OutOrStdout())
	}
	if code := rep.Exit(); code != 0 {
		return &exitError{code, errors.New(rep.Summary())}
	}
	return nil
}

// options checks the flags and opens what they name: the record, and an
// engine over the workers that builds into a scratch layout.
func (o *reproduceOptions) options() (reproduce.Options, func(), error) {
	var opts reproduce.Options
	if o.format != "text" && o.format != "json" {
		return opts, nil, fmt.Errorf("--format %q: want text or json", o.format)
	}
	for _, p := range o.platforms {
		arch, err := platforms.ParseArchOrPlatform(p)
		if err != nil {
			return opts, nil, fmt.Errorf("--platform: %w", err)
		}
		oci, _ := platforms.OCI(arch)
		opts.Platforms = append(opts.Platforms, platforms.Format(oci))
	}
	if o.record != "" {
		rec, err := record.ReadFile(o.record)
		if err != nil {
			return opts, nil, fmt.Errorf("--record: %w", err)
		}
		opts.Record, opts.RecordName = &rec, o.record
	}
	opts.Library, opts.Keychain, opts.ReportDir = &manifest.Loader{Library: o.library}, authn.DefaultKeychain, o.reportDir
	ws, _, err := o.farm.load()
	if err != nil {
		return opts, nil, err
	}
	scratch, err := os.MkdirTemp("", "brewkit-reproduce-")
	if err != nil {
		return opts, nil, err
	}
	cleanup := func() { os.RemoveAll(scratch) }
	l, err := builder.OpenLayout(scratch)
	if err != nil {
		cleanup()
		return opts, nil, err
	}
	eo := &engineOptions{globalOptions: o.globalOptions, cache: o.cache}
	e, err := eo.newEngine(&engine.Target{Workers: ws, Layout: l, Emulate: o.allowEmulation}, o.log)
	if err != nil {
		cleanup()
		return opts, nil, err
	}
	opts.Engine = e
	return opts, func() { e.Close(); cleanup() }, nil
}
