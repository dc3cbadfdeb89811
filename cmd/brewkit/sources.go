package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder/froms"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/lineage"
)

// sourceOptions are the flags of the commands that read entries' sources
// (from, fetch, parents, children, cat's source functions, --build-order):
// the git cache, opened on first use.
type sourceOptions struct {
	*globalOptions
	cache string
	once  sync.Once
	srcs  *froms.Sources
	err   error
}

func (o *sourceOptions) register(cmd *cobra.Command, getenv func(string) string) {
	cmd.Flags().StringVar(&o.cache, "cache", defaultCache(getenv), "cache directory: git sources go in its git/ ($BREWKIT_CACHE)")
}

// sources opens the git cache under --cache, once.
func (o *sourceOptions) sources() (*froms.Sources, error) {
	o.once.Do(func() {
		cache, err := gitsource.Open(filepath.Join(o.cache, "git"), gitsource.WithLogger(o.log))
		if err != nil {
			o.err = fmt.Errorf("--cache: %w", err)
			return
		}
		o.srcs = froms.New(cache)
	})
	return o.srcs, o.err
}

// froms returns the FROMs of e on arch, as bashbrew's ArchDockerFroms.
func (o *sourceOptions) froms(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
	s, err := o.sources()
	if err != nil {
		return nil, err
	}
	fs, err := s.Froms(ctx, e, arch)
	if err != nil {
		return nil, fmt.Errorf("FROMs of %s (tags %q) on %s: %w", r.RepoName, e.TagsString(), arch, err)
	}
	return fs, nil
}

// readFroms returns the FROMs of e on arch, for package lineage, which
// names the entry and arch in its errors.
func (o *sourceOptions) readFroms(ctx context.Context, _ *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
	s, err := o.sources()
	if err != nil {
		return nil, err
	}
	return s.Froms(ctx, e, arch)
}

// lineageOptions are the lineage options of the flags of from, parents
// and children: with applyConstraints, the entries that --arch and
// --constraint skip do not count (skips says so once); with archFilter,
// those without --arch; with either, only the FROMs of --arch count.
func (o *sourceOptions) lineageOptions(skips *skipper, applyConstraints, archFilter bool) lineage.Options {
	opts := lineage.Options{
		Froms:     o.readFroms,
		Namespace: o.namespace,
		Log:       o.log,
		Keep: func(r *manifest.Repo, e *manifest.Entry) bool {
			if applyConstraints && skips.skip(r, e) {
				return false
			}
			return !archFilter || e.HasArchitecture(o.arch)
		},
	}
	if applyConstraints || archFilter {
		opts.Arch = o.arch
	}
	return opts
}

// entryArches are the architectures whose FROMs count for e: --arch alone
// when filtering by it, else every architecture of e.
func entryArches(e *manifest.Entry, arch string, filtered bool) []string {
	if filtered {
		return []string{arch}
	}
	return e.Architectures
}

// orderOptions are the build-order options of the flags.
func (o *sourceOptions) orderOptions(ctx context.Context, skips *skipper, applyConstraints bool) manifest.OrderOptions {
	opts := manifest.OrderOptions{
		Namespace: o.namespace,
		Arch:      o.arch,
		Froms: func(r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
			return o.froms(ctx, r, e, arch)
		},
	}
	if applyConstraints {
		opts.Skip = skips.skip
	}
	return opts
}

// loadSorted loads the named manifests, all of them or failing, and
// returns them in build order (a name given twice once), as bashbrew's
// sortRepos.
func (o *sourceOptions) loadSorted(ctx context.Context, names []string, opts manifest.OrderOptions) ([]*manifest.Repo, error) {
	loader := manifest.Loader{Library: o.library}
	seen := map[string]bool{}
	var repos []*manifest.Repo
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		r, err := loader.Load(ctx, name)
		if err != nil {
			return nil, err
		}
		repos = append(repos, r)
	}
	if len(names) <= 1 {
		return repos, nil
	}
	sorted, err := manifest.SortRepos(repos, opts)
	if err != nil {
		return nil, fmt.Errorf("sorting the repo list: %w", err)
	}
	return sorted, nil
}

// eachRepoSorted is eachRepo in build order: it loads every named
// manifest first, failing if one does not load, as bashbrew does.
func (o *sourceOptions) eachRepoSorted(opts manifest.OrderOptions) func(ctx context.Context, stderr io.Writer, names []string, fn func(i int, r *manifest.Repo) error) error {
	return func(ctx context.Context, stderr io.Writer, names []string, fn func(i int, r *manifest.Repo) error) error {
		repos, err := o.loadSorted(ctx, names, opts)
		if err != nil {
			return err
		}
		for i, r := range repos {
			for _, w := range r.Manifest.Warnings {
				fmt.Fprintf(stderr, "warning: %v\n", w)
			}
			if err := fn(i, r); err != nil {
				return err
			}
		}
		return nil
	}
}
