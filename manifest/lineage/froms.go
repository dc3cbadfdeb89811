package lineage

import (
	"context"
	"slices"

	"github.com/brewkit/brewkit/manifest"
)

// Froms calls fn, in library order, with every entry of repos that opts
// keeps and the images it is built FROM on the architectures that count,
// as bashbrew's from lists them: architecture by architecture, each
// image once. It reads opts.Jobs entries and architectures at once, and
// stops at the first error in library order (fn's, or the FROMs of an
// entry, which fn is then not called with, as bashbrew stops there).
func Froms(ctx context.Context, repos []*manifest.Repo, opts Options, fn func(r *manifest.Repo, e *manifest.Entry, froms []string) error) error {
	opts, err := opts.check()
	if err != nil {
		return err
	}
	entries, jobs := opts.expand(repos)
	return readFroms(ctx, jobs, opts, func(froms func(int) ([]string, error)) error {
		for _, ej := range entries {
			var union []string
			for i := ej.first; i < ej.first+ej.n; i++ {
				fs, err := froms(i)
				if err != nil {
					return err
				}
				for _, f := range fs {
					union = appendNew(union, f)
				}
			}
			if err := fn(ej.r, ej.e, union); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendNew appends v to s unless s holds it.
func appendNew[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// multiMap maps a key to values in the order first added, each once.
type multiMap map[string][]string

func (m multiMap) add(k, v string) {
	m[k] = appendNew(m[k], v)
}
