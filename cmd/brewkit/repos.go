package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/brewkit/brewkit/manifest"
)

// repoArgs returns the manifests to act on: every file of the library with
// all, then the named ones, as bashbrew does.
func (g *globalOptions) repoArgs(all bool, args []string) ([]string, error) {
	var names []string
	if all {
		dir, err := os.ReadDir(g.library)
		if err != nil {
			return nil, fmt.Errorf("--all: reading the library: %w", err)
		}
		for _, d := range dir {
			names = append(names, filepath.Join(g.library, d.Name()))
		}
		slices.Sort(names)
	}
	names = append(names, args...)
	if len(names) == 0 {
		return nil, errors.New(`need at least one repo, as arguments (repo, repo:tag, a path or a URL) or with --all`)
	}
	return names, nil
}

// loadRepos loads the manifests named by args (and the whole library
// with all). A manifest that cannot be loaded is reported and left out,
// so the rest still plans; the error says so.
func (g *globalOptions) loadRepos(ctx context.Context, stderr io.Writer, all bool, args []string) ([]*manifest.Repo, error) {
	names, err := g.repoArgs(all, args)
	if err != nil {
		return nil, err
	}
	var repos []*manifest.Repo
	err = g.eachRepo(ctx, stderr, names, func(_ int, r *manifest.Repo) error {
		repos = append(repos, r)
		return nil
	})
	return repos, err
}

// eachRepo loads every named manifest and calls fn on it in order. A
// manifest that cannot be loaded is reported and skipped, so that one bad
// file does not hide the others; the returned error joins all failures.
func (g *globalOptions) eachRepo(ctx context.Context, stderr io.Writer, names []string, fn func(i int, r *manifest.Repo) error) error {
	loader := manifest.Loader{Library: g.library}
	var errs []error
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := loader.Load(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, w := range r.Manifest.Warnings {
			fmt.Fprintf(stderr, "warning: %v\n", w)
		}
		if err := fn(i, r); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// skipper prints bashbrew's "skipping" line once per entry.
type skipper struct {
	filter manifest.Filter
	w      io.Writer
	said   map[string]bool
}

func newSkipper(f manifest.Filter, w io.Writer) *skipper {
	return &skipper{filter: f, w: w, said: map[string]bool{}}
}

func (s *skipper) skip(r *manifest.Repo, e *manifest.Entry) bool {
	skip, reason := s.filter.Skip(e)
	if id := r.EntryIdentifier(e); skip && !s.said[id] {
		s.said[id] = true
		fmt.Fprintf(s.w, "skipping %q %s\n", id, reason)
	}
	return skip
}
