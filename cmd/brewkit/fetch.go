package main

import (
	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
)

type fetchOptions struct {
	sourceOptions
	all, applyConstraints, archFilter bool
}

func newFetchCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &fetchOptions{sourceOptions: sourceOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:   "fetch [repo[:tag]...]",
		Short: "Fetch every entry's commit into the git cache, as bashbrew fetch does",
		Long: `Fetch every entry's GitCommit, on each of its architectures (only --arch
with --apply-constraints or --arch-filter), into the git cache under
--cache; a commit already there is not fetched again. The repository
that {{ gitCache }} names sees them afterwards.`,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "every manifest of the library")
	f.BoolVar(&o.applyConstraints, "apply-constraints", false, "skip entries that --arch and --constraint do not build")
	f.BoolVar(&o.archFilter, "arch-filter", false, "skip entries that do not build for --arch")
	o.register(cmd, getenv)
	return cmd
}

func (o *fetchOptions) run(cmd *cobra.Command, args []string) error {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	s, err := o.sources()
	if err != nil {
		return err
	}
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	err = o.eachRepo(ctx, cmd.ErrOrStderr(), names, func(_ int, r *manifest.Repo) error {
		for _, e := range r.Entries() {
			if o.applyConstraints && skips.skip(r, e) {
				continue
			}
			if o.archFilter && !e.HasArchitecture(o.arch) {
				continue
			}
			for _, arch := range entryArches(e, o.arch, o.applyConstraints || o.archFilter) {
				c, err := s.Fetch(ctx, e, arch)
				if err != nil {
					return err
				}
				o.log.Debug("fetched", "commit", c.ID(), "entry", r.EntryIdentifier(e), "arch", arch)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// so that git in {{ gitCache }} sees what was fetched
	_, err = s.Cache().Union(ctx)
	return err
}
