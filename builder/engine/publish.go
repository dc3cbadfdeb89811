package engine

import (
	"context"
	"fmt"

	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
)

// PublishOptions say where [Engine.Publish] writes the indexes.
type PublishOptions struct {
	// To is "REGISTRY/NAMESPACE"; see [publish.Options].
	To string
	// Partial publishes the tags of which some arch did not build, without
	// it; by default they are blocked (not written).
	Partial bool
	// ArchNamespaces also writes each tag for ARCH alone in REGISTRY/NS.
	ArchNamespaces map[string]string
	// DryRun writes nothing and shows what would be written.
	DryRun bool
	// AllowBlocked makes a blocked index no error: for a dry run of a
	// build, whose images still to build block their indexes.
	AllowBlocked bool
	// Jobs is how many indexes are written at once; 0 means 8.
	Jobs int
}

// Check checks o before anything is built: To names a registry and a
// namespace, and the arch namespaces are namespaces.
func (o PublishOptions) Check() error {
	return publish.CheckOptions(o.options())
}

func (o PublishOptions) options() publish.Options {
	return publish.Options{To: o.To, Partial: o.Partial, ArchNamespaces: o.ArchNamespaces}
}

// Publish writes the index of every tag and shared tag of report's jobs
// (children before parents, each image copied next to its index first)
// and returns what it did. A staged image an earlier Publish read is not
// read again (e keeps the last 16,384). An index blocked by an image that did not
// build is an error, unless o.AllowBlocked.
func (e *Engine) Publish(ctx context.Context, report *scheduler.Report, o PublishOptions) (*publish.Summary, error) {
	targets, err := publish.Targets(report, o.options())
	if err != nil {
		return nil, err
	}
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = 8
	}
	popts := []publish.Option{publish.WithDryRun(o.DryRun), publish.WithJobs(jobs), publish.WithKeychain(e.keychain), publish.WithStagedCache(e.staged)}
	if e.tags != nil {
		popts = append(popts, publish.WithTagCache(e.tags))
	}
	p, err := publish.New(popts...)
	if err != nil {
		return nil, err
	}
	summary, err := p.Publish(ctx, targets)
	if err != nil {
		return summary, err
	}
	if n := summary.Count(publish.Blocked); n > 0 && !o.AllowBlocked {
		return summary, fmt.Errorf("%d index(es) blocked: an image they need did not build (see the build; --partial publishes without it)", n)
	}
	return summary, nil
}
