package check

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/remotearches"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/check"
)

// Checker runs the checks. Create one with [New]; it is for one run (it
// keeps what it learns, such as FROMs and other library files), and not
// safe for concurrent use.
type Checker struct {
	cache  *gitsource.Cache
	loader *manifest.Loader
	opts   options
	src    *sources
}

type options struct {
	pins   string
	remote *remotearches.Resolver
	log    *slog.Logger
}

// Option configures a [Checker].
type Option func(*options) error

// WithPins sets the .external-pins directory of official-images. Default:
// none, so that every external image is unpinned.
func WithPins(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithPins: empty directory")
		}
		o.pins = dir
		return nil
	}
}

// WithRemoteArches sets what looks a pinned external image's
// architectures up (bashbrew remote arches): a [remotearches.Resolver]
// with its credentials and Docker Hub proxy (DOCKERHUB_PUBLIC_PROXY).
// Default: one with the Docker config's credentials
// (remotearches.WithRemote(remote.WithAuthFromKeychain(authn.DefaultKeychain)))
// and no proxy.
func WithRemoteArches(r *remotearches.Resolver) Option {
	return func(o *options) error {
		if r == nil {
			return errors.New("WithRemoteArches: nil")
		}
		o.remote = r
		return nil
	}
}

// WithLogger sets the logger. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("WithLogger: nil")
		}
		o.log = l
		return nil
	}
}

// New returns a Checker reading sources from cache and other library
// files through loader.
func New(cache *gitsource.Cache, loader *manifest.Loader, opts ...Option) (*Checker, error) {
	if cache == nil || loader == nil {
		return nil, errors.New("check.New: a git cache and a loader are required")
	}
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.remote == nil {
		r, err := remotearches.New(remotearches.WithRemote(remote.WithAuthFromKeychain(authn.DefaultKeychain)))
		if err != nil {
			return nil, err
		}
		o.remote = r
	}
	c := &Checker{cache: cache, loader: loader, opts: o}
	c.src = newSources(cache, loader, o)
	return c, nil
}

// Run checks repos with rules (nil: every rule) and returns what they
// found. Every problem of the repos is a finding or a skip; the error is
// only ctx's.
func (c *Checker) Run(ctx context.Context, repos []*manifest.Repo, rules []check.Rule) (*check.Report, error) {
	if rules == nil {
		rules = check.Rules
	}
	rep := &check.Report{Findings: []check.Finding{}, Skipped: []check.Skip{}}
	add := func(f []check.Finding, s []check.Skip) {
		rep.Findings = append(rep.Findings, f...)
		rep.Skipped = append(rep.Skipped, s...)
	}
	for _, rule := range check.Rules { // in naughty.sh's order, whatever rules' order
		if !contains(rules, rule) {
			continue
		}
		c.opts.log.Debug("checking", "rule", rule)
		switch rule {
		case check.RuleLatestTag:
			for _, r := range repos {
				add(check.LatestTags(r), nil)
			}
		case check.RuleSharedTags:
			for _, r := range repos {
				add(check.SharedTags(r), nil)
			}
		case check.RuleFrom:
			add(check.Froms(ctx, repos, c.src))
		case check.RuleConstraints:
			add(check.Constraints(ctx, repos, c.src))
		case check.RuleCommits:
			for _, r := range repos {
				add(c.commits(ctx, r))
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, context.Cause(ctx)
		}
	}
	return rep, nil
}

func contains(rules []check.Rule, r check.Rule) bool {
	for _, x := range rules {
		if x == r {
			return true
		}
	}
	return false
}
