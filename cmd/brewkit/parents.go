package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/lineage"
)

// graphOptions are the flags of parents and children.
type graphOptions struct {
	sourceOptions
	uniq, applyConstraints, archFilter bool
	depth                              int
}

func (o *graphOptions) registerGraph(cmd *cobra.Command, getenv func(string) string) {
	f := cmd.Flags()
	f.BoolVar(&o.applyConstraints, "apply-constraints", false, "skip entries that --arch and --constraint do not build")
	f.BoolVar(&o.archFilter, "arch-filter", false, "skip entries that do not build for --arch")
	f.IntVar(&o.depth, "depth", 0, "levels to walk (0 for all)")
	f.BoolVar(&o.uniq, "uniq", false, "print each image once")
	f.BoolVar(&o.uniq, "unique", false, "same as --uniq")
	_ = f.MarkHidden("unique")
	o.register(cmd, getenv)
}

// walk is how far the flags say to walk.
func (o *graphOptions) walk() lineage.Walk {
	return lineage.Walk{Depth: o.depth, Uniq: o.uniq}
}

func newParentsCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &graphOptions{sourceOptions: sourceOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:     "parents repo[:tag]...",
		Aliases: []string{"ancestors", "progenitors"},
		Short:   "Print the images a repo or tag is built FROM, and theirs, as bashbrew parents does",
		Long: `Print the images each entry is built FROM, then the images those are built
FROM, and so on (--depth levels, 0 for all), on the architectures of the
entries named (--arch with --apply-constraints or --arch-filter). scratch
is left out, and the walk stops quietly at an image the library does not
build.`,
		Args: cobra.MinimumNArgs(1),
		RunE: o.runParents,
	}
	o.registerGraph(cmd, getenv)
	return cmd
}

func (o *graphOptions) runParents(cmd *cobra.Command, args []string) error {
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	opts := o.lineageOptions(newSkipper(o.filter(), cmd.ErrOrStderr()), o.applyConstraints, o.archFilter)
	return lineage.Parents(cmd.Context(), &manifest.Loader{Library: o.library}, args, o.walk(), opts, func(image string) error {
		_, err := fmt.Fprintln(out, image)
		return err
	})
}
