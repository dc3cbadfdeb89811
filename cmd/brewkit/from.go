package main

import (
	"bufio"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/lineage"
)

type fromOptions struct {
	sourceOptions
	all, uniq, applyConstraints, archFilter bool
}

func newFromCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &fromOptions{sourceOptions: sourceOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:   "from [repo[:tag]...]",
		Short: "Print the images each tag is built FROM, as bashbrew from does",
		Long: `Print "repo:tag: FROM FROM..." for every tag of every entry: the images its
Dockerfile reads on each of its architectures (only --arch with
--apply-constraints or --arch-filter), each once. It fetches every
commit and reads every Dockerfile, several at once, so it fails on one
that cannot be.`,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "every manifest of the library")
	f.BoolVar(&o.uniq, "uniq", false, "only the first tag of each entry")
	f.BoolVar(&o.uniq, "unique", false, "same as --uniq")
	f.BoolVar(&o.applyConstraints, "apply-constraints", false, "skip entries that --arch and --constraint do not build")
	f.BoolVar(&o.archFilter, "arch-filter", false, "skip entries that do not build for --arch")
	_ = f.MarkHidden("unique")
	o.register(cmd, getenv)
	return cmd
}

// run prints the FROMs of the manifests that load; one that does not is
// reported and fails the command at the end.
func (o *fromOptions) run(cmd *cobra.Command, args []string) error {
	ctx := cmd.Context()
	repos, loadErr := o.loadRepos(ctx, cmd.ErrOrStderr(), o.all, args)
	if len(repos) == 0 && loadErr != nil {
		return loadErr
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	opts := o.lineageOptions(newSkipper(o.filter(), cmd.ErrOrStderr()), o.applyConstraints, o.archFilter)
	err := lineage.Froms(ctx, repos, opts, func(r *manifest.Repo, e *manifest.Entry, froms []string) error {
		line := ": " + strings.Join(froms, " ") + "\n"
		for _, tag := range r.Tags(o.namespace, o.uniq, e) {
			if _, err := out.WriteString(tag + line); err != nil {
				return err
			}
		}
		return nil
	})
	return errors.Join(err, loadErr)
}
