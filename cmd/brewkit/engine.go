package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

// engineOptions are the flags of the commands that plan and build.
type engineOptions struct {
	*globalOptions
	all            bool
	cache          string
	farm           farmOptions
	allowEmulation bool
	workerFetch    bool        // build's --worker-fetch
	archGiven      func() bool // whether --arch was set explicitly
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

// planOptions are the engine's plan options of the flags: --arch (with
// the constraints) when given, else whatever the target builds.
func (o *engineOptions) planOptions() engine.PlanOptions {
	opts := engine.PlanOptions{Namespace: o.namespace, Progress: o.inspectProgress()}
	if o.archGiven() {
		f := o.filter()
		opts.Filter = &f
	}
	return opts
}

// newEngine opens the git cache and the build locks under --cache, and
// the engine over t, which it then owns.
func (o *engineOptions) newEngine(t *engine.Target, log *slog.Logger) (*engine.Engine, error) {
	sources, err := gitsource.Open(filepath.Join(o.cache, "git"), gitsource.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("--cache: %w", err)
	}
	locks, err := builder.OpenBuildLocks(filepath.Join(o.cache, "locks"))
	if err != nil {
		return nil, fmt.Errorf("--cache: %w", err)
	}
	return engine.New(engine.Options{Target: t, Sources: sources, Locks: locks, Logger: log, WorkerFetch: o.workerFetch})
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
