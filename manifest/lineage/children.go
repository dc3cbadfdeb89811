package lineage

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/brewkit/brewkit/manifest"
)

// Graph is the FROM graph of a library as bashbrew's children command
// builds it: every tag's canonical tag (its entry's first), the
// architectures of each canonical tag, and the tags built FROM each image.
type Graph struct {
	canonical map[string]string // tag -> its entry's first tag
	arches    multiMap          // canonical tag or image -> architectures
	children  multiMap          // canonical tag or image -> tags built FROM it
	repoTags  multiMap          // repository -> its canonical tags, and its images FROM'd
	namespace string
	log       *slog.Logger
}

// NewGraph reads the FROMs of every entry of repos that opts keeps, on
// the architectures that count, and links them. An image the library
// does not build (an unsupported tag, or one from elsewhere) gets the
// architectures of the entries FROM it, so that its children on other
// architectures (Linux entries FROM a shared tag that also names Windows
// images, say) are not its children. It fails at the first entry, in
// library order, whose FROMs cannot be read.
func NewGraph(ctx context.Context, repos []*manifest.Repo, opts Options) (*Graph, error) {
	opts, err := opts.check()
	if err != nil {
		return nil, err
	}
	g := &Graph{canonical: map[string]string{}, arches: multiMap{}, children: multiMap{}, repoTags: multiMap{}, namespace: opts.Namespace, log: opts.Log}
	entries, jobs := opts.expand(repos)
	for _, ej := range entries {
		tags := ej.r.Tags(opts.Namespace, false, ej.e)
		for _, t := range tags {
			if _, ok := g.canonical[t]; !ok { // the first entry owns a shared tag, as in bashbrew
				g.canonical[t] = tags[0]
			}
		}
		for _, a := range opts.arches(ej.e) {
			g.arches.add(tags[0], a)
		}
	}
	err = readFroms(ctx, jobs, opts, func(froms func(int) ([]string, error)) error {
		for _, ej := range entries {
			nsRepo := path.Join(opts.Namespace, ej.r.RepoName)
			tag := nsRepo + ":" + ej.e.Tags[0]
			g.repoTags.add(nsRepo, tag)
			for i := ej.first; i < ej.first+ej.n; i++ {
				fs, err := froms(i)
				if err != nil {
					return err
				}
				g.link(tag, jobs[i].arch, fs)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// link records that tag is built FROM froms on arch.
func (g *Graph) link(tag, arch string, froms []string) {
	for _, from := range froms {
		if c, ok := g.canonical[from]; ok {
			from = c
		} else {
			g.arches.add(from, arch) // unsupported: it has the arches of what is FROM it
		}
		g.children.add(from, tag)
		if fromRepo, _, ok := strings.Cut(from, ":"); ok {
			g.repoTags.add(fromRepo, from) // so that the repo's old tags come up too
		}
	}
}

// resolve returns the tags arg stands for: itself if something is FROM
// it, its canonical tag, or a repository's tags (with the namespace,
// then without).
func (g *Graph) resolve(arg string) ([]string, error) {
	if _, ok := g.children[arg]; ok {
		return []string{arg}, nil
	}
	if t, ok := g.canonical[arg]; ok {
		return []string{t}, nil
	}
	if tags := g.repoTags[path.Join(g.namespace, arg)]; tags != nil {
		return tags, nil
	}
	if tags := g.repoTags[arg]; tags != nil {
		return tags, nil
	}
	return nil, fmt.Errorf("failed to resolve argument as repo or tag %q", arg)
}

// Children calls print with the tags built FROM each argument, then with
// those built FROM them, and so on (w.Depth levels), each argument in
// turn, as bashbrew's children prints them: only tags that share an
// architecture with the argument's tag, and with w.Uniq each tag once.
// An argument the graph does not know fails, after the previous
// arguments' tags are printed; so does print. With w.Depth 0, a FROM
// cycle, where bashbrew would never end, is an error wrapping
// [manifest.ErrCycle].
func (g *Graph) Children(args []string, w Walk, print func(tag string) error) error {
	seen := map[string]bool{} // with w.Uniq
	for _, arg := range args {
		tags, err := g.resolve(arg)
		if err != nil {
			return err
		}
		for _, tag := range tags {
			if err := g.walkDown(tag, w, seen, print); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkDown prints the children of tag, level by level.
func (g *Graph) walkDown(tag string, w Walk, seen map[string]bool, print func(string) error) error {
	supported := g.arches[tag]
	g.log.Debug("relevant architectures", "tag", tag, "arches", strings.Join(supported, ", "))
	if w.Depth == -1 {
		return print(tag)
	}
	lookup := []string{tag}
	for d := w.Depth; len(lookup) > 0 && (w.Depth == 0 || d > 0); d-- {
		if d < -len(g.arches) { // a path longer than the graph has nodes: a cycle
			return fmt.Errorf("children of %s: %w", tag, manifest.ErrCycle)
		}
		var next []string
		for _, t := range lookup {
			for _, kid := range g.children[t] {
				if !slices.ContainsFunc(g.arches[kid], func(a string) bool { return slices.Contains(supported, a) }) {
					continue
				}
				next = append(next, kid)
				if w.Uniq {
					if seen[kid] {
						continue
					}
					seen[kid] = true
				}
				if err := print(kid); err != nil {
					return err
				}
			}
		}
		lookup = next
	}
	return nil
}
