package main

import (
	"bufio"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
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

// multiMap maps a key to values in the order first added, each once.
type multiMap map[string][]string

func (m multiMap) add(k, v string) {
	if !slices.Contains(m[k], v) {
		m[k] = append(m[k], v)
	}
}

func (o *graphOptions) runChildren(cmd *cobra.Command, args []string) error {
	ctx := cmd.Context()
	names, err := o.repoArgs(true, nil)
	if err != nil {
		return err
	}
	var repos []*manifest.Repo
	if err := o.eachRepo(ctx, cmd.ErrOrStderr(), names, func(_ int, r *manifest.Repo) error {
		repos = append(repos, r)
		return nil
	}); err != nil {
		return err
	}
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	filtered := o.applyConstraints || o.archFilter

	// every tag's canonical tag (its entry's first), and the arches of each
	canonical := map[string]string{}
	arches := multiMap{}
	for _, r := range repos {
		for _, e := range r.Entries() {
			if !o.keep(skips, r, e) {
				continue
			}
			tags := r.Tags(o.namespace, false, e)
			for _, t := range tags {
				if _, ok := canonical[t]; !ok { // the first entry owns a shared tag, as in bashbrew
					canonical[t] = tags[0]
				}
			}
			for _, a := range entryArches(e, o.arch, filtered) {
				arches.add(tags[0], a)
			}
		}
	}
	// FROM -> children, and repo -> tags (unsupported ones FROM'd included)
	children, repoTags := multiMap{}, multiMap{}
	for _, r := range repos {
		nsRepo := path.Join(o.namespace, r.RepoName)
		for _, e := range r.Entries() {
			if !o.keep(skips, r, e) {
				continue
			}
			tag := nsRepo + ":" + e.Tags[0]
			repoTags.add(nsRepo, tag)
			for _, a := range entryArches(e, o.arch, filtered) {
				froms, err := o.froms(ctx, r, e, a)
				if err != nil {
					return err
				}
				for _, from := range froms {
					if c, ok := canonical[from]; ok {
						from = c
					} else {
						arches.add(from, a) // unsupported: it has the arches of what is FROM it
					}
					children.add(from, tag)
					if fromRepo, _, ok := strings.Cut(from, ":"); ok {
						repoTags.add(fromRepo, from)
					}
				}
			}
		}
	}

	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	seen := map[string]bool{}
	for _, arg := range args {
		var tags []string
		if _, ok := children[arg]; ok {
			tags = []string{arg}
		} else if t, ok := canonical[arg]; ok {
			tags = []string{t}
		} else if ns := path.Join(o.namespace, arg); repoTags[ns] != nil {
			tags = repoTags[ns]
		} else if repoTags[arg] != nil {
			tags = repoTags[arg]
		}
		if len(tags) == 0 {
			return fmt.Errorf("failed to resolve argument as repo or tag %q", arg)
		}
		for _, tag := range tags {
			supported := arches[tag]
			o.log.Debug("relevant architectures", "tag", tag, "arches", strings.Join(supported, ", "))
			if o.depth == -1 {
				fmt.Fprintln(out, tag)
				continue
			}
			lookup := []string{tag}
			for d := o.depth; len(lookup) > 0 && (o.depth == 0 || d > 0); d-- {
				var next []string
				for _, t := range lookup {
					for _, kid := range children[t] {
						if !slices.ContainsFunc(arches[kid], func(a string) bool { return slices.Contains(supported, a) }) {
							continue
						}
						next = append(next, kid)
						if o.uniq {
							if seen[kid] {
								continue
							}
							seen[kid] = true
						}
						if _, err := fmt.Fprintln(out, kid); err != nil {
							return err
						}
					}
				}
				lookup = next
			}
		}
	}
	return nil
}
