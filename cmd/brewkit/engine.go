package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// engineOptions are the flags of the commands that plan and build.
type engineOptions struct {
	*globalOptions
	all            bool
	cache          string
	farm           farmOptions
	allowEmulation bool
	archGiven      func() bool // whether --arch was set explicitly
	sources        *gitsource.Cache
}

func (o *engineOptions) register(cmd *cobra.Command, getenv func(string) string) {
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "every manifest of the library")
	f.StringVar(&o.cache, "cache", defaultCache(getenv), "cache directory, which brewkit processes may share: git sources go in its git/, the locks that make them build each job once in its locks/ ($BREWKIT_CACHE)")
	f.BoolVar(&o.allowEmulation, "allow-emulation", false, "build arches that no worker builds natively on any worker, emulated")
	o.farm.register(f, getenv)
	o.archGiven = func() bool { return cmd.Flags().Changed("arch") }
}

// defaultCache is $BREWKIT_CACHE, else the user's cache directory.
func defaultCache(getenv func(string) string) string {
	if dir := getenv("BREWKIT_CACHE"); dir != "" {
		return dir
	}
	if dir := getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "brewkit")
	}
	return filepath.Join(getenv("HOME"), ".cache", "brewkit")
}

// repos loads the named manifests. A manifest that cannot be loaded is
// reported and left out, so the rest still plans; the error says so.
func (o *engineOptions) repos(ctx context.Context, stderr io.Writer, args []string) ([]*manifest.Repo, error) {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return nil, err
	}
	var repos []*manifest.Repo
	err = o.eachRepo(ctx, stderr, names, func(_ int, r *manifest.Repo) error {
		repos = append(repos, r)
		return nil
	})
	return repos, err
}

// plan inspects the sources of repos and links their jobs, for the arches
// select keeps.
func (o *engineOptions) plan(ctx context.Context, repos []*manifest.Repo, sel func(*manifest.Entry, string) (bool, string)) (*scheduler.Plan, error) {
	cache, err := o.gitCache()
	if err != nil {
		return nil, err
	}
	return scheduler.NewPlan(ctx, repos, builder.NewInspector(cache), scheduler.Options{Select: sel, Namespace: o.namespace, Progress: o.inspectProgress()})
}

// gitCache opens the git cache under --cache once per command, so that
// planning and building share what it knows.
func (o *engineOptions) gitCache() (*gitsource.Cache, error) {
	if o.sources == nil {
		c, err := gitsource.Open(filepath.Join(o.cache, "git"))
		if err != nil {
			return nil, fmt.Errorf("--cache: %w", err)
		}
		o.sources = c
	}
	return o.sources, nil
}

// selector decides which entry arches are planned: --arch alone (with
// --constraint) when given; else, with workers, the arches they build
// natively (all of them with --allow-emulation); else every arch.
func (o *engineOptions) selector(ws []workers.Worker) func(*manifest.Entry, string) (bool, string) {
	if o.archGiven() {
		f := o.filter()
		return func(e *manifest.Entry, arch string) (bool, string) {
			if arch != f.Arch {
				return false, "not --arch " + f.Arch
			}
			skip, why := f.Skip(e)
			return !skip, why
		}
	}
	if len(ws) == 0 || o.allowEmulation {
		return nil
	}
	var native []string
	for _, w := range ws {
		native = append(native, w.Arches...)
	}
	return func(_ *manifest.Entry, arch string) (bool, string) {
		if slices.Contains(native, arch) {
			return true, ""
		}
		return false, "no worker builds " + arch + " natively (use --allow-emulation, or add a worker)"
	}
}

// reportUnplanned prints one line per arch left out, with how many jobs.
func reportUnplanned(w io.Writer, p *scheduler.Plan) {
	count := map[string]int{}
	reason := map[string]string{}
	var arches []string
	for _, u := range p.Unplanned {
		if count[u.Arch] == 0 {
			arches = append(arches, u.Arch)
		}
		count[u.Arch]++
		reason[u.Arch] = u.Reason
	}
	for _, a := range arches {
		fmt.Fprintf(w, "skipping %d %s job(s): %s\n", count[a], a, reason[a])
	}
}
