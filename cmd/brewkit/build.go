package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/load"
	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

type buildOptions struct {
	engineOptions
	progress     string
	metadataFile string
	staging      string
	output       string
	getenv       func(string) string
	pub          publishing
	dryRun       bool
	trace        string
	timeline     *timeline.Recorder // with --trace
	noCache      bool
	pull         string
	platforms    []string // --platform, as given
	load         bool
	loader       load.Loader // found by run, with --load
}

func newBuildCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &buildOptions{engineOptions: engineOptions{globalOptions: g}, getenv: getenv}
	cmd := &cobra.Command{
		Use:   "build [repo[:tag]...]",
		Short: "Build every job of the named manifests with BuildKit, concurrently",
		Long: `Build every job of the named manifests with BuildKit, concurrently.

Each job (an entry's source for one architecture) runs as soon as the jobs
of its FROMs are done; its FROMs are pinned by digest. A failed job fails
only the jobs built FROM it.

With no workers (--workers, --worker), brewkit builds on a local BuildKit
daemon: the one $BUILDKIT_HOST names, else the one on the default socket
(unix:///run/buildkit/buildkitd.sock), else a buildkitd from PATH that it
starts for the run and stops afterwards. That daemon builds the host's
architecture natively and every other one under QEMU emulation. Unless a
registry is given (--registry, $BREWKIT_REGISTRY, --staging), the images go
into an OCI image layout directory (--output), whose index.json names each
tag; nothing needs a registry then, except to resolve FROMs not built here.

With workers, each job runs on a worker that builds its architecture
natively (or any worker, with --allow-emulation), and its image is pushed
to a staging repository per architecture (--staging) in the registry.

Either way each image is kept under its build id, so that a later run with
nothing changed builds nothing.

A shared tag that two entries give the same architecture from different
sources (see brewkit plan) is reported before anything is built; the jobs
are built and every other tag is published, that tag is not, and build
exits non-zero.`,
		Example: `  brewkit build ./library/foo
  brewkit build --output /tmp/images --library hack/example/library --all
  brewkit build --workers .farm/workers.yaml --library hack/example/library --all
  brewkit build --worker amd64=unix:///run/buildkit/buildkitd.sock --registry 127.0.0.1:5000 ./library/foo`,
		RunE: o.run,
	}
	o.register(cmd, getenv)
	f := cmd.Flags()
	f.StringVar(&o.progress, "progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	f.StringVar(&o.trace, "trace", "", "write where the build's time went to this file as Chrome trace-event JSON (Perfetto, chrome://tracing), and print the critical path and the time by phase")
	f.StringVar(&o.metadataFile, "metadata-file", "", "write the build record (docs/BUILD-RECORD.md) to this file, which push reads")
	f.StringVar(&o.staging, "staging", "", "staging repository prefix; a job for ARCH goes to PREFIX-ARCH (default REGISTRY/brewkit/staging)")
	f.StringVar(&o.pub.to, "push", getenv("BREWKIT_PUSH_TO"), `after building, publish every tag's index at "REGISTRY/NAMESPACE" ($BREWKIT_PUSH_TO; see brewkit push)`)
	f.BoolVar(&o.pub.partial, "partial", false, "publish tags (with --push) or write them to the OCI layout (--output) without their arches that did not build, instead of leaving them as they are")
	f.BoolVar(&o.dryRun, "dry-run", false, "build and write nothing: show each job's build id and state and, with --push, every index that would be written")
	o.pub.jobs = 8
	f.StringVar(&o.output, "output", "out", "OCI image layout directory the images go into when there is no registry (local builds only)")
	f.BoolVar(&o.load, "load", false, "also load every image built, named by its tags, into the local Docker engine ($DOCKER_HOST, a unix:// socket, else /var/run/docker.sock) or, when none answers, into containerd ($CONTAINERD_ADDRESS, else /run/containerd/containerd.sock; namespace $CONTAINERD_NAMESPACE, else default); only the host's architecture is built unless --arch or --platform says otherwise")
	f.BoolVar(&o.noCache, "no-cache", false, "BuildKit runs every step again, its cache not consulted (a job already staged under its build id is still found, not rebuilt)")
	f.StringVar(&o.pull, "pull", pullDefault(getenv), `FROMs no job here builds ($BREWKIT_PULL, $BASHBREW_PULL): "missing" and "always" resolve the tag from its registry at every run and pin the digest ("always" also has BuildKit fetch that image's manifest and config again), "never" asks no registry and fails such jobs`)
	f.BoolVar(&o.workerFetch, "worker-fetch", false, "let each worker fetch public git repositories itself with BuildKit's git source, instead of sending every build context from brewkit's git cache (faster per job: docs/PERFORMANCE.md); local and credentialed repositories are always sent")
	f.StringSliceVar(&o.platforms, "platform", nil, "build only these platforms or architectures, such as linux/arm64 or arm64v8 (repeatable, or comma-separated)")
	return cmd
}

func (o *buildOptions) run(cmd *cobra.Command, args []string) (err error) {
	ctx, stderr := cmd.Context(), cmd.ErrOrStderr()
	if err := o.check(cmd); err != nil {
		return err
	}
	if o.load {
		l, err := load.Find(ctx, o.getenv)
		if err != nil {
			return fmt.Errorf("--load: %w; without --load a local build writes an OCI layout (--output), which skopeo copies into an image store", err)
		}
		if c, ok := l.(io.Closer); ok { // containerd's connection
			defer func() { err = errors.Join(err, c.Close()) }()
		}
		o.loader = l
		fmt.Fprintf(stderr, "loading images into %s\n", l)
	}
	repos, loadErr := o.loadRepos(ctx, stderr, o.all, args)
	if loadErr != nil && (!o.all || len(repos) == 0) {
		return loadErr // a typo in a name, or no library: nothing is started
	}
	t, err := o.target(cmd)
	if err != nil {
		return err
	}
	e, err := o.newEngine(t, o.log)
	if err != nil {
		return errors.Join(err, t.Close())
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	p, err := e.Plan(ctx, repos, o.buildPlanOptions())
	if err != nil {
		return err
	}
	reportUnplanned(stderr, p)
	var conflictErr error
	if err := conflictsError(scheduler.TagConflicts(p.Jobs)); err != nil {
		fmt.Fprintln(stderr, err)
		conflictErr = errTagConflicts
	}
	if o.dryRun {
		return errors.Join(loadErr, conflictErr, o.dryRunBuild(cmd, e, p))
	}
	if o.trace != "" {
		o.timeline = timeline.New()
	}
	b, err := o.build(cmd, e, p)
	if err != nil {
		return err
	}
	start := time.Now()
	pubErr := o.publish(cmd, e, b)
	if o.timeline != nil && o.pub.to != "" {
		o.timeline.Publish(start, time.Now())
	}
	return errors.Join(loadErr, b.Report.Err(), conflictErr, pubErr, o.writeTrace(cmd, b))
}

// writeTrace writes --trace and prints where the time went.
func (o *buildOptions) writeTrace(cmd *cobra.Command, b *engine.Build) error {
	if o.timeline == nil {
		return nil
	}
	f, err := os.Create(o.trace)
	if err != nil {
		return fmt.Errorf("--trace: %w", err)
	}
	if err := errors.Join(o.timeline.WriteTrace(f), f.Close()); err != nil {
		return fmt.Errorf("--trace %s: %w", o.trace, err)
	}
	fmt.Fprint(cmd.ErrOrStderr(), o.timeline.Summary(b.Report))
	fmt.Fprintf(cmd.ErrOrStderr(), "trace: %s (open it in https://ui.perfetto.dev or chrome://tracing)\n", o.trace)
	return nil
}

// check refuses bad flags before anything is loaded or started.
func (o *buildOptions) check(cmd *cobra.Command) error {
	if o.debug && !cmd.Flags().Changed("progress") {
		o.progress = "plain" // every step, with its output
	}
	if err := builder.CheckProgressMode(o.progress); err != nil {
		return err
	}
	switch o.pull {
	case "always", "missing", "never":
	default:
		return fmt.Errorf("--pull %q: want always, missing or never", o.pull)
	}
	for _, p := range o.platforms {
		if _, err := platforms.ParseArchOrPlatform(p); err != nil {
			return fmt.Errorf("--platform: %w", err)
		}
	}
	if o.pub.to != "" {
		if err := o.pub.options().Check(); err != nil {
			return fmt.Errorf("--push: %w", err)
		}
	}
	if err := engine.CheckStaging(o.staging); err != nil {
		return fmt.Errorf("--staging: %w", err)
	}
	_, err := o.targetKind(cmd)
	return err
}

// build runs the plan with a progress display, and prints the summary.
func (o *buildOptions) build(cmd *cobra.Command, e *engine.Engine, p *scheduler.Plan) (*engine.Build, error) {
	progress, err := builder.NewProgress(cmd.ErrOrStderr(), o.progress)
	if err != nil {
		return nil, err
	}
	opts := engine.BuildOptions{Progress: progress, Partial: o.pub.partial, NoCache: o.noCache, Pull: o.pull, Timeline: o.timeline}
	if o.loader != nil {
		opts.Load = o.loader.Load
	}
	b, err := e.Build(cmd.Context(), p, opts)
	if perr := progress.Close(); perr != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "progress:", perr)
	}
	if err != nil {
		return nil, err
	}
	if l := e.Target().Layout; l != nil {
		writeLayoutSummary(cmd.ErrOrStderr(), l.Dir(), b.Layout)
	}
	if err := writeSummary(cmd.OutOrStdout(), cmd.ErrOrStderr(), b.Report); err != nil {
		return nil, err
	}
	if o.metadataFile != "" {
		if err := writeMetadataFile(o.metadataFile, b.Report); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// publish writes the indexes of the build's tags with --push.
func (o *buildOptions) publish(cmd *cobra.Command, e *engine.Engine, b *engine.Build) error {
	if o.pub.to == "" {
		return nil
	}
	return o.pub.publish(cmd.Context(), cmd.OutOrStdout(), e, b.Report, o.archNamespaces)
}

// dryRunBuild shows what a build would do: each job's build id and state,
// and with --push the indexes that would be written (those whose images
// are all staged already) or skipped.
func (o *buildOptions) dryRunBuild(cmd *cobra.Command, e *engine.Engine, p *scheduler.Plan) error {
	l, err := e.Lookup(cmd.Context(), p)
	if err != nil {
		return err
	}
	if err := writePlanTable(cmd.OutOrStdout(), p, e.Routes(p), l.States); err != nil {
		return err
	}
	if err := writeErrors(cmd.ErrOrStderr(), planErrors(p)); err != nil {
		return err
	}
	if o.pub.to == "" {
		return l.Err
	}
	pub := o.pub
	pub.dryRun, pub.allowBlocked = true, true // the indexes of images still to build show as blocked
	return errors.Join(l.Err, pub.publish(cmd.Context(), cmd.OutOrStdout(), e, l.Report, o.archNamespaces))
}

// pullDefault is --pull's default: $BREWKIT_PULL, $BASHBREW_PULL, else
// "missing", as bashbrew's.
func pullDefault(getenv func(string) string) string {
	for _, k := range []string{"BREWKIT_PULL", "BASHBREW_PULL"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return "missing"
}

// buildPlanOptions are planOptions narrowed to --platform's arches, and
// with --load to --arch (the host's by default): an engine keeps one
// image per tag.
func (o *buildOptions) buildPlanOptions() engine.PlanOptions {
	opts := o.planOptions()
	if o.load && opts.Filter == nil && len(o.platforms) == 0 {
		f := o.filter() // --arch's default: the host's
		opts.Filter = &f
	}
	for _, p := range o.platforms {
		arch, _ := platforms.ParseArchOrPlatform(p) // checked by check
		opts.Arches = append(opts.Arches, arch)
	}
	return opts
}
