package main

import (
	"bufio"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
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
commit and reads every Dockerfile, so it fails on one that cannot be.`,
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

func (o *fromOptions) run(cmd *cobra.Command, args []string) error {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	return o.eachRepo(ctx, cmd.ErrOrStderr(), names, func(_ int, r *manifest.Repo) error {
		for _, e := range r.Entries() {
			if o.applyConstraints && skips.skip(r, e) {
				continue
			}
			if o.archFilter && !e.HasArchitecture(o.arch) {
				continue
			}
			var froms []string
			for _, arch := range entryArches(e, o.arch, o.applyConstraints || o.archFilter) {
				fs, err := o.froms(ctx, r, e, arch)
				if err != nil {
					return err
				}
				for _, f := range fs {
					if !slices.Contains(froms, f) {
						froms = append(froms, f)
					}
				}
			}
			line := ": " + strings.Join(froms, " ") + "\n"
			for _, tag := range r.Tags(o.namespace, o.uniq, e) {
				if _, err := out.WriteString(tag + line); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
