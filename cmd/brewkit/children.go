package main

import (
	"bufio"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest/lineage"
)

func newChildrenCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &graphOptions{sourceOptions: sourceOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:     "children repo[:tag]|image...",
		Aliases: []string{"offspring", "descendants", "progeny"},
		Short:   "Print the tags built FROM a repo, tag or image, and theirs, as bashbrew children does",
		Long: `Print the tags of the library (every file of --library) built FROM each
argument, then those built FROM them, and so on (--depth levels, 0 for
all; -1 prints the argument's canonical tag instead), keeping only those
that share an architecture with the argument. An argument is a tag
(its entry's first tag stands for all of its tags), a repository (each
of its tags, and the unsupported tags images are FROM), or an image
outside the library, such as mcr.microsoft.com/windows/servercore.`,
		Args: cobra.MinimumNArgs(1),
		RunE: o.runChildren,
	}
	o.registerGraph(cmd, getenv)
	return cmd
}

func (o *graphOptions) runChildren(cmd *cobra.Command, args []string) error {
	ctx := cmd.Context()
	repos, err := o.loadRepos(ctx, cmd.ErrOrStderr(), true, nil)
	if err != nil {
		return err
	}
	g, err := lineage.NewGraph(ctx, repos, o.lineageOptions(newSkipper(o.filter(), cmd.ErrOrStderr()), o.applyConstraints, o.archFilter))
	if err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	return g.Children(args, o.walk(), func(tag string) error {
		_, err := fmt.Fprintln(out, tag)
		return err
	})
}
