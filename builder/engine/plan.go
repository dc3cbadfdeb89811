package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// PlanOptions say which entry architectures [Engine.Plan] plans.
type PlanOptions struct {
	// Filter, when set, plans only Filter.Arch, and skips the entries it
	// skips (bashbrew's --arch, --constraint, --exclusive-constraints).
	// Nil plans every architecture the target builds: its workers'
	// natives, all of them when it emulates.
	Filter *manifest.Filter
	// Arches, when set, narrows what is planned to these architectures
	// (bashbrew names, such as "arm64v8"), with Filter or without.
	Arches []string
	// Namespace is bashbrew's --namespace: with "ns", "FROM ns/foo:1" is
	// an edge to foo:1.
	Namespace string
	// Progress, if set, is told how many sources of how many have been
	// inspected.
	Progress func(done, total int)
}

// Plan inspects the sources of repos and links their jobs: one per entry
// and architecture that opts and the target select, identical sources
// merged. The arches left out are in the plan's Unplanned, with why.
func (e *Engine) Plan(ctx context.Context, repos []*manifest.Repo, opts PlanOptions) (*scheduler.Plan, error) {
	if e.inspector == nil {
		return nil, errNoSources
	}
	if f := opts.Filter; f != nil && !platforms.IsKnown(f.Arch) {
		return nil, fmt.Errorf("plan: unknown architecture %q; want one of %s", f.Arch, strings.Join(platforms.Names(), ", "))
	}
	for _, a := range opts.Arches {
		if !platforms.IsKnown(a) {
			return nil, fmt.Errorf("plan: unknown architecture %q; want one of %s", a, strings.Join(platforms.Names(), ", "))
		}
	}
	return scheduler.NewPlan(ctx, repos, e.inspector, scheduler.Options{
		Select:    only(opts.Arches, e.selector(opts.Filter)),
		Namespace: opts.Namespace,
		Progress:  opts.Progress,
	})
}

// selector decides which entry arches are planned: the filter's arch
// alone when given; else the arches the workers build natively (all of
// them when the target emulates); and, on a local buildkitd, only those
// it can build at all.
func (e *Engine) selector(f *manifest.Filter) func(*manifest.Entry, string) (bool, string) {
	var sel func(*manifest.Entry, string) (bool, string)
	switch {
	case f != nil:
		sel = func(en *manifest.Entry, arch string) (bool, string) {
			if arch != f.Arch {
				return false, "not --arch " + f.Arch
			}
			skip, why := f.Skip(en)
			return !skip, why
		}
	case len(e.target.Workers) > 0 && !e.target.Emulate:
		sel = e.nativeOnly
	}
	if d := e.target.daemon; d != nil {
		return restrict(sel, d.Platforms)
	}
	return sel
}

// nativeOnly selects the arches some worker builds natively.
func (e *Engine) nativeOnly(_ *manifest.Entry, arch string) (bool, string) {
	for _, w := range e.target.Workers {
		if slices.Contains(w.Arches, arch) {
			return true, ""
		}
	}
	return false, "no worker builds " + arch + " natively (use --allow-emulation, or add a worker)"
}

// restrict narrows sel to the arches a local buildkitd can build natively
// or emulated: the platforms it advertises (so a Linux daemon skips
// Windows, and arches without QEMU binfmt).
func restrict(sel func(*manifest.Entry, string) (bool, string), offered []ocispec.Platform) func(*manifest.Entry, string) (bool, string) {
	var names []string
	for _, p := range offered {
		names = append(names, platforms.Format(p))
	}
	return func(en *manifest.Entry, arch string) (bool, string) {
		if sel != nil {
			if ok, why := sel(en, arch); !ok {
				return false, why
			}
		}
		if !slices.ContainsFunc(offered, func(p ocispec.Platform) bool { return platforms.Matches(arch, p) }) {
			return false, fmt.Sprintf("the local buildkitd cannot build %s, even emulated (it offers %s)", arch, strings.Join(names, ", "))
		}
		return true, ""
	}
}

// Routes names the workers each job of p may run on: those that build
// its arch natively, else, when the target emulates, every worker
// ("NAME (emulated)").
func (e *Engine) Routes(p *scheduler.Plan) map[*scheduler.Job][]string {
	routes := map[*scheduler.Job][]string{}
	ws := e.target.Workers
	for _, j := range p.Jobs {
		for _, w := range ws {
			if slices.Contains(w.Arches, j.Arch) {
				routes[j] = append(routes[j], w.Name)
			}
		}
		if len(routes[j]) == 0 && e.target.Emulate {
			for _, w := range ws {
				routes[j] = append(routes[j], w.Name+" (emulated)")
			}
		}
	}
	return routes
}

// only narrows sel to arches, when there are any.
func only(arches []string, sel func(*manifest.Entry, string) (bool, string)) func(*manifest.Entry, string) (bool, string) {
	if len(arches) == 0 {
		return sel
	}
	return func(en *manifest.Entry, arch string) (bool, string) {
		if !slices.Contains(arches, arch) {
			return false, "not --platform " + strings.Join(arches, ",")
		}
		if sel == nil {
			return true, ""
		}
		return sel(en, arch)
	}
}
