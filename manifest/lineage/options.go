package lineage

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"

	"github.com/brewkit/brewkit/manifest"
)

// FromsFunc returns the images entry e of r is built FROM on arch,
// normalised as "repo:tag" and "scratch" included: bashbrew's
// ArchDockerFroms. It is called from several goroutines at once.
type FromsFunc func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error)

// Options say which entries count and how their FROMs are read.
type Options struct {
	// Froms reads an entry's FROMs. Required.
	Froms FromsFunc
	// Keep reports whether entry e of r counts (bashbrew's
	// --apply-constraints and --arch-filter); nil keeps every entry. It
	// is called once per entry, in library order, from one goroutine.
	Keep func(r *manifest.Repo, e *manifest.Entry) bool
	// Arch, when set, is the one architecture whose FROMs count (bashbrew
	// with --apply-constraints or --arch-filter: --arch). When empty,
	// every architecture of an entry counts.
	Arch string
	// Namespace is bashbrew's --namespace: the library's tags are
	// "NAMESPACE/repo:tag".
	Namespace string
	// Jobs is how many Froms calls run at once; 0 means 4 x GOMAXPROCS
	// (a call mostly waits for git).
	Jobs int
	// Log receives the debug lines bashbrew prints with --debug; nil
	// discards them.
	Log *slog.Logger
}

// check validates o and fills in its defaults.
func (o Options) check() (Options, error) {
	if o.Froms == nil {
		return o, errors.New("lineage: Options.Froms is required")
	}
	if o.Jobs < 0 {
		return o, errors.New("lineage: Options.Jobs must not be negative")
	}
	if o.Jobs == 0 {
		o.Jobs = 4 * runtime.GOMAXPROCS(0)
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

// keep reports whether e of r counts.
func (o Options) keep(r *manifest.Repo, e *manifest.Entry) bool {
	return o.Keep == nil || o.Keep(r, e)
}

// arches are the architectures whose FROMs count for e.
func (o Options) arches(e *manifest.Entry) []string {
	if o.Arch != "" {
		return []string{o.Arch}
	}
	return e.Architectures
}

// Walk says how far [Graph.Children] and [Parents] go.
type Walk struct {
	// Depth is how many levels to walk, 0 for all. For Children, -1
	// prints each argument's own tags instead (bashbrew's `children
	// --depth -1`, which lists the tags of an image in use).
	Depth int
	// Uniq prints each image once, over all the arguments.
	Uniq bool
}
