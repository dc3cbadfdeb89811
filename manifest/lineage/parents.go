package lineage

import (
	"context"
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/manifest"
)

// Loader loads the manifest a name stands for ("php", "php:8", a path),
// as [manifest.Loader] does; a name it does not find is an error
// wrapping [manifest.ErrNotFound].
type Loader interface {
	Load(ctx context.Context, name string) (*manifest.Repo, error)
}

var _ Loader = (*manifest.Loader)(nil)

// Parents calls print with the images each argument's entries are built
// FROM, then with those these are built FROM, and so on (w.Depth
// levels), each argument in turn, as bashbrew's parents prints them:
// "scratch" left out, each image once per entry, and with w.Uniq each
// image once. Only the architectures of the argument's entries that
// count are followed up. An argument that does not load fails; an image
// further up that the library does not have ends the walk quietly.
// Errors come in bashbrew's order, after what comes before them is
// printed. With w.Depth 0, a FROM cycle, where bashbrew would never end,
// is an error wrapping [manifest.ErrCycle].
func Parents(ctx context.Context, l Loader, args []string, w Walk, opts Options, print func(image string) error) error {
	opts, err := opts.check()
	if err != nil {
		return err
	}
	seen := map[string]bool{} // with w.Uniq
	for _, arg := range args {
		p := &parentWalk{opts: opts, loader: l, print: print, seen: seen, uniq: w.Uniq, names: map[string]bool{arg: true}}
		lookup := []string{arg}
		for d := w.Depth; len(lookup) > 0 && (w.Depth == 0 || d > 0); d-- {
			if d < -len(p.names) { // more levels than names: a cycle
				return fmt.Errorf("parents of %s: %w", arg, manifest.ErrCycle)
			}
			if lookup, err = p.level(ctx, lookup, d == w.Depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// parentWalk is the walk up from one argument.
type parentWalk struct {
	opts   Options
	loader Loader
	print  func(string) error
	seen   map[string]bool // printed, with uniq
	uniq   bool
	arches []string        // those of the argument's entries
	names  map[string]bool // every name looked up
}

// level prints the FROMs of the entries of lookup (the argument itself
// when top) and returns the next level's names.
func (p *parentWalk) level(ctx context.Context, lookup []string, top bool) ([]string, error) {
	entries, jobs, loadErr := p.load(ctx, lookup, top)
	var next []string
	err := readFroms(ctx, jobs, p.opts, func(froms func(int) ([]string, error)) error {
		for _, ej := range entries {
			var entryFroms []string
			for i := ej.first; i < ej.first+ej.n; i++ {
				fs, err := froms(i)
				if err != nil {
					return err
				}
				for _, f := range fs {
					if f != "scratch" { // not a parent: the empty image
						entryFroms = appendNew(entryFroms, f)
					}
				}
			}
			for _, f := range entryFroms {
				next = appendNew(next, f)
				p.names[f] = true
				if p.uniq {
					if p.seen[f] {
						continue
					}
					p.seen[f] = true
				}
				if err := p.print(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, loadErr // a load error comes after the entries before it
}

// load loads the names of a level, in order, up to the first that fails
// (one further up that the library does not have is skipped), and lists
// the jobs of their entries that count: on the architectures of the
// argument's entries (those so far, at the top) that the entry has.
func (p *parentWalk) load(ctx context.Context, lookup []string, top bool) ([]entryJobs, []job, error) {
	var entries []entryJobs
	var jobs []job
	for _, name := range lookup {
		r, err := p.loader.Load(ctx, name)
		if err != nil {
			if !top && errors.Is(err, manifest.ErrNotFound) {
				continue // not in the library: the walk ends here
			}
			return entries, jobs, err
		}
		for _, e := range r.Entries() {
			if !p.opts.keep(r, e) {
				continue
			}
			if top {
				for _, a := range p.opts.arches(e) {
					p.arches = appendNew(p.arches, a)
				}
			}
			var arches []string
			for _, a := range p.arches {
				if e.HasArchitecture(a) {
					arches = append(arches, a)
				}
			}
			entries, jobs = p.opts.add(entries, jobs, r, e, arches)
		}
	}
	return entries, jobs, nil
}
