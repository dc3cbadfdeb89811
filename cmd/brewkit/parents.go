package main

import (
	"bufio"
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
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

// keep reports whether the flags keep e, printing why not if needed.
func (o *graphOptions) keep(skips *skipper, r *manifest.Repo, e *manifest.Entry) bool {
	if o.applyConstraints && skips.skip(r, e) {
		return false
	}
	return !o.archFilter || e.HasArchitecture(o.arch)
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
	ctx := cmd.Context()
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	loader := manifest.Loader{Library: o.library}
	seen := map[string]bool{} // with --uniq
	for _, arg := range args {
		lookup := []string{arg}
		var lookupArches []string // those of the entries of arg
		for d := o.depth; len(lookup) > 0 && (o.depth == 0 || d > 0); d-- {
			var next []string
			for _, name := range lookup {
				r, err := loader.Load(ctx, name)
				if err != nil {
					if d != o.depth && errors.Is(err, manifest.ErrNotFound) {
						continue // not in the library: the walk ends here
					}
					return err
				}
				for _, e := range r.Entries() {
					if !o.keep(skips, r, e) {
						continue
					}
					if d == o.depth {
						for _, a := range entryArches(e, o.arch, o.applyConstraints || o.archFilter) {
							lookupArches = appendNew(lookupArches, a)
						}
					}
					var froms []string
					for _, a := range lookupArches {
						if !e.HasArchitecture(a) {
							continue
						}
						fs, err := o.froms(ctx, r, e, a)
						if err != nil {
							return err
						}
						for _, f := range fs {
							if f != "scratch" { // not a parent: the empty image
								froms = appendNew(froms, f)
							}
						}
					}
					for _, f := range froms {
						next = appendNew(next, f)
						if o.uniq {
							if seen[f] {
								continue
							}
							seen[f] = true
						}
						if _, err := fmt.Fprintln(out, f); err != nil {
							return err
						}
					}
				}
			}
			lookup = next
		}
	}
	return nil
}

// appendNew appends v to s unless s holds it.
func appendNew[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
