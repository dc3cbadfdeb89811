package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
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
	f.StringVar(&o.metadataFile, "metadata-file", "", "write the results as JSON to this file")
	f.StringVar(&o.staging, "staging", "", "staging repository prefix; a job for ARCH goes to PREFIX-ARCH (default REGISTRY/brewkit/staging)")
	f.StringVar(&o.pub.to, "push", getenv("BREWKIT_PUSH_TO"), `after building, publish every tag's index at "REGISTRY/NAMESPACE" ($BREWKIT_PUSH_TO; see brewkit push)`)
	f.BoolVar(&o.pub.partial, "partial", false, "publish tags (with --push), or write them into the --output layout, without their arches that did not build, instead of leaving them as they are")
	f.BoolVar(&o.dryRun, "dry-run", false, "build and write nothing: show each job's build id and state and, with --push, every index that would be written")
	o.pub.jobs = 8
	f.StringVar(&o.output, "output", "out", "OCI image layout directory the images go into when there is no registry (local builds only)")
	return cmd
}

func (o *buildOptions) run(cmd *cobra.Command, args []string) (err error) {
	t, err := o.target(cmd)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, t.close()) }()
	if (o.pub.to != "" || o.dryRun) && t.staging == "" {
		return errors.New("--push and --dry-run need a registry (--registry, a workers file with one, or --staging): a local build writes an OCI layout instead")
	}
	repos, loadErr := o.repos(cmd.Context(), cmd.ErrOrStderr(), args)
	p, err := o.plan(cmd.Context(), repos, t.restrict(o.selector(t.workers)))
	if err != nil {
		return err
	}
	reportUnplanned(cmd.ErrOrStderr(), p)
	var conflictErr error
	if err := conflictsError(scheduler.TagConflicts(p.Jobs)); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), err)
		conflictErr = errTagConflicts
	}
	if o.dryRun {
		return errors.Join(loadErr, conflictErr, o.dryRunBuild(cmd, p, t))
	}
	report, err := o.execute(cmd, p, t)
	if err != nil {
		return err
	}
	if err := t.tag(cmd.Context(), cmd.ErrOrStderr(), report); err != nil {
		return err
	}
	if err := writeSummary(cmd.OutOrStdout(), report); err != nil {
		return err
	}
	if o.metadataFile != "" {
		if err := writeMetadataFile(o.metadataFile, report); err != nil {
			return err
		}
	}
	var pushErr error
	if o.pub.to != "" {
		pushErr = o.pub.publish(cmd.Context(), cmd.OutOrStdout(), report, o.archNamespaces, false)
	}
	return errors.Join(loadErr, report.Err(), conflictErr, pushErr)
}

// dryRunBuild shows what a build would do: each job's build id and state,
// and with --push the indexes that would be written (those whose images
// are all staged already) or skipped.
func (o *buildOptions) dryRunBuild(cmd *cobra.Command, p *scheduler.Plan, t *buildTarget) error {
	cache, err := o.gitCache()
	if err != nil {
		return err
	}
	report, states, err := stagedStates(cmd.Context(), p, cache, t.staging)
	if err != nil {
		return err
	}
	if err := writePlanTable(cmd.OutOrStdout(), p, routing(p, t.workers, o.allowEmulation), states); err != nil {
		return err
	}
	lookupErr := lookupVerdict(report, t.staging)
	if o.pub.to == "" {
		return lookupErr
	}
	pub := o.pub
	pub.dryRun = true // the indexes of images still to build show as blocked
	return errors.Join(lookupErr, pub.publish(cmd.Context(), cmd.OutOrStdout(), report, o.archNamespaces, true))
}

// execute runs the plan with a BuildKit executor and a progress display.
func (o *buildOptions) execute(cmd *cobra.Command, p *scheduler.Plan, t *buildTarget) (*scheduler.Report, error) {
	cache, err := o.gitCache()
	if err != nil {
		return nil, err
	}
	progress, err := builder.NewProgress(cmd.ErrOrStderr(), o.progress)
	if err != nil {
		return nil, err
	}
	locks, err := builder.OpenBuildLocks(filepath.Join(o.cache, "locks"))
	if err != nil {
		return nil, fmt.Errorf("--cache: %w", err)
	}
	exec := &builder.Executor{Staging: t.staging, Layout: t.layout, Registry: builder.NewRegistry(), Cache: cache, Progress: progress, Locks: locks}
	defer exec.Close()
	r := &scheduler.Runner{Workers: t.workers, Exec: exec, AllowEmulation: o.allowEmulation}
	report := r.Run(cmd.Context(), p)
	if err := progress.Close(); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "progress:", err)
	}
	return report, nil
}
