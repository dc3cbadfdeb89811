package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

type buildOptions struct {
	engineOptions
	progress     string
	metadataFile string
	staging      string
}

func newBuildCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &buildOptions{engineOptions: engineOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:   "build [repo[:tag]...]",
		Short: "Build every job of the named manifests on BuildKit workers, concurrently",
		Long: `Build every job of the named manifests on BuildKit workers, concurrently.

Each job (an entry's source for one architecture) runs on a worker that
builds that architecture natively, as soon as the jobs of its FROMs are
done; its FROMs are pinned by digest. The image is pushed to a staging
repository per architecture (--staging), tagged with its build id, so that
a later run with nothing changed builds nothing. A failed job fails only
the jobs built FROM it.`,
		Example: `  brewkit build --workers .farm/workers.yaml --library hack/example/library --all
  brewkit build --worker amd64=unix:///run/buildkit/buildkitd.sock --registry 127.0.0.1:5000 ./library/foo`,
		RunE: o.run,
	}
	o.register(cmd, getenv)
	f := cmd.Flags()
	f.StringVar(&o.progress, "progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	f.StringVar(&o.metadataFile, "metadata-file", "", "write the results as JSON to this file")
	f.StringVar(&o.staging, "staging", "", "staging repository prefix; a job for ARCH goes to PREFIX-ARCH (default REGISTRY/brewkit/staging)")
	return cmd
}

func (o *buildOptions) run(cmd *cobra.Command, args []string) error {
	ws, registry, err := o.farm.load()
	if err != nil {
		return err
	}
	staging := o.staging
	if staging == "" {
		if registry == "" {
			return errors.New("no registry to stage images in: give --registry, a workers file with a registry, or --staging")
		}
		staging = registry + "/brewkit/staging"
	}
	repos, loadErr := o.repos(cmd.Context(), cmd.ErrOrStderr(), args)
	p, err := o.plan(cmd.Context(), repos, o.selector(ws))
	if err != nil {
		return err
	}
	reportUnplanned(cmd.ErrOrStderr(), p)
	report, err := o.execute(cmd, p, ws, staging)
	if err != nil {
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
	return errors.Join(loadErr, report.Err())
}

// execute runs the plan with a BuildKit executor and a progress display.
func (o *buildOptions) execute(cmd *cobra.Command, p *scheduler.Plan, ws []workers.Worker, staging string) (*scheduler.Report, error) {
	cache, err := gitsource.Open(filepath.Join(o.cache, "git"))
	if err != nil {
		return nil, fmt.Errorf("--cache: %w", err)
	}
	progress, err := builder.NewProgress(cmd.ErrOrStderr(), o.progress)
	if err != nil {
		return nil, err
	}
	exec := &builder.Executor{Staging: staging, Registry: builder.NewRegistry(), Cache: cache, Progress: progress}
	defer exec.Close()
	r := &scheduler.Runner{Workers: ws, Exec: exec, AllowEmulation: o.allowEmulation}
	report := r.Run(cmd.Context(), p)
	if err := progress.Close(); err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "progress:", err)
	}
	return report, nil
}
