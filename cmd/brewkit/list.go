package main

import (
	"bufio"
	"path"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
)

type listOptions struct {
	sourceOptions
	all, uniq, applyConstraints, archFilter, repos, buildOrder bool
}

func newListCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &listOptions{sourceOptions: sourceOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:     "list [repo[:tag]...]",
		Aliases: []string{"ls"},
		Short:   "List repo:tag combinations, as bashbrew list does",
		RunE:    o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "list every manifest of the library")
	f.BoolVar(&o.uniq, "uniq", false, "only the first tag of each entry")
	f.BoolVar(&o.uniq, "unique", false, "same as --uniq")
	f.BoolVar(&o.applyConstraints, "apply-constraints", false, "skip entries that --arch and --constraint do not build")
	f.BoolVar(&o.archFilter, "arch-filter", false, "skip entries that do not build for --arch")
	f.BoolVar(&o.repos, "repos", false, "list repository names only (or the tags of an explicit repo:tag)")
	f.BoolVar(&o.buildOrder, "build-order", false, "in the order they would build: after the images they are FROM (reads every source)")
	_ = f.MarkHidden("unique")
	o.register(cmd, getenv)
	return cmd
}

func (o *listOptions) run(cmd *cobra.Command, args []string) error {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	order := o.orderOptions(cmd.Context(), skips, o.applyConstraints)
	each := o.eachRepo
	if o.buildOrder {
		each = o.eachRepoSorted(order)
	}
	return each(cmd.Context(), cmd.ErrOrStderr(), names, func(_ int, r *manifest.Repo) error {
		if o.repos {
			if r.TagEntry == nil {
				out.WriteString(path.Join(o.namespace, r.RepoName) + "\n")
				return nil
			}
			return writeLines(out, r.Tags(o.namespace, o.uniq, r.TagEntry))
		}
		entries := r.Entries()
		if o.buildOrder {
			var err error
			if entries, err = r.SortedEntries(order); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if o.applyConstraints && skips.skip(r, e) {
				continue
			}
			if o.archFilter && !e.HasArchitecture(o.arch) {
				continue
			}
			if err := writeLines(out, r.Tags(o.namespace, o.uniq, e)); err != nil {
				return err
			}
		}
		return nil
	})
}

func writeLines(w *bufio.Writer, lines []string) error {
	for _, l := range lines {
		w.WriteString(l)
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}
