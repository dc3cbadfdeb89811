package manifest

import (
	"errors"
	"fmt"
	"slices"
)

// ErrCycle is wrapped by the error of [SortRepos] and [Repo.SortedEntries]
// when the FROMs of what they sort form a cycle.
var ErrCycle = errors.New("cycle detected")

// OrderOptions say how [SortRepos] and [Repo.SortedEntries] read the FROM
// graph. Froms is required.
type OrderOptions struct {
	// Froms returns the images entry is built FROM on arch, normalised
	// as "repo:tag" ("debian:bookworm", "scratch").
	Froms func(r *Repo, e *Entry, arch string) ([]string, error)
	// Namespace is --namespace: a tag is known with and without it
	// ("php:8" and "amd64/php:8"), as bashbrew has it.
	Namespace string
	// Skip, when set, applies the constraints (bashbrew's
	// --apply-constraints): a skipped entry adds no edge, and only Arch's
	// FROMs count. When nil, the FROMs of every architecture of an entry
	// count.
	Skip func(r *Repo, e *Entry) bool
	// Arch is --arch, used with Skip.
	Arch string
}

// SortRepos returns repos in build order, bashbrew's --build-order: a
// repo (or repo:tag) comes after those it is built FROM. Edges are
// only between the repos given; FROMs outside them are ignored. The sort
// is stable, generation by generation: each pass takes, in the given
// order, every repo whose parents are all taken (including those taken
// earlier in the same pass). A repo given twice is kept at its first
// place. Fewer than two repos are returned as they are.
//
// A cycle returns an error wrapping [ErrCycle]; bashbrew reports a
// cycle, too, for "a:a FROM b:b" with "b:b FROM a:c", and so does this.
func SortRepos(repos []*Repo, o OrderOptions) ([]*Repo, error) {
	if len(repos) <= 1 {
		return repos, nil
	}
	return sortNodes(repos, o)
}

// SortedEntries returns r's entries in build order (bashbrew's
// Repo.SortedEntries), each entry a node of its own, as [SortRepos] sorts
// repos.
func (r *Repo) SortedEntries(o OrderOptions) ([]*Entry, error) {
	entries := r.Entries()
	if len(entries) <= 1 {
		return entries, nil
	}
	nodes := make([]*Repo, len(entries))
	for i, e := range entries {
		nodes[i] = &Repo{File: r.File, RepoName: r.RepoName, TagName: e.Tags[0], Manifest: r.Manifest, TagEntry: e, TagEntries: []*Entry{e}}
	}
	sorted, err := sortNodes(nodes, o)
	if err != nil {
		return nil, fmt.Errorf("sorting the entries of %s: %w", r.RepoName, err)
	}
	out := make([]*Entry, 0, len(sorted))
	for _, n := range sorted {
		out = append(out, n.TagEntries...)
	}
	return out, nil
}

// node is one repo being sorted.
type node struct {
	repo    *Repo
	inbound []*node
	marked  bool
}

// sortNodes is bashbrew's sortRepoObjects over pault.ag/go/topsort.
func sortNodes(repos []*Repo, o OrderOptions) ([]*Repo, error) {
	var order []string
	nodes := map[string]*node{}
	canonical := map[string]string{} // tag -> node name
	owner := map[string]*Repo{}      // tag -> the repo its node is
	for _, r := range repos {
		name := r.Identifier()
		for _, e := range r.Entries() {
			tags := append(r.Tags("", false, e), r.Tags(o.Namespace, false, e)...)
			for _, tag := range tags {
				if prev, ok := owner[tag]; ok && prev.TagName != "" {
					continue // a specific tag wins over a whole repo
				}
				canonical[tag], owner[tag] = name, r
			}
		}
		if _, ok := nodes[name]; !ok {
			order = append(order, name)
		}
		nodes[name] = &node{repo: r}
	}
	for _, r := range repos {
		for _, e := range r.Entries() {
			if err := addEdges(r, e, o, nodes, canonical); err != nil {
				return nil, err
			}
		}
	}
	return generations(order, nodes)
}

// addEdges links e's node to the nodes of its FROMs.
func addEdges(r *Repo, e *Entry, o OrderOptions, nodes map[string]*node, canonical map[string]string) error {
	arches := e.Architectures
	if o.Skip != nil {
		if o.Skip(r, e) {
			return nil
		}
		arches = []string{o.Arch}
	}
	var froms []string
	for _, arch := range arches {
		fs, err := o.Froms(r, e, arch)
		if err != nil {
			return fmt.Errorf("FROMs of %s on %s: %w", r.EntryIdentifier(e), arch, err)
		}
		for _, f := range fs {
			if !slices.Contains(froms, f) {
				froms = append(froms, f)
			}
		}
	}
	for _, from := range froms {
		fromNode, ok := canonical[from]
		if !ok {
			continue // not among what is sorted
		}
		for _, tag := range r.Tags(o.Namespace, false, e) {
			if tagNode, ok := canonical[tag]; ok && tagNode != fromNode {
				to := nodes[tagNode]
				to.inbound = append(to.inbound, nodes[fromNode])
			}
		}
	}
	return nil
}

// generations is pault.ag/go/topsort's Sort: passes over the nodes in
// order, each marking and emitting every node whose inbound nodes are all
// marked, until a pass emits nothing.
func generations(order []string, nodes map[string]*node) ([]*Repo, error) {
	var out []*Repo
	for {
		emitted, pending := 0, false
		for _, name := range order {
			n := nodes[name]
			if n.marked {
				continue
			}
			pending = true
			if !slices.ContainsFunc(n.inbound, func(in *node) bool { return !in.marked }) {
				n.marked = true
				out = append(out, n.repo)
				emitted++
			}
		}
		if !pending {
			return out, nil
		}
		if emitted == 0 {
			var left []string
			for _, name := range order {
				if !nodes[name].marked {
					left = append(left, name)
				}
			}
			return nil, fmt.Errorf("%w among %q", ErrCycle, left)
		}
	}
}
