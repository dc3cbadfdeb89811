package engine

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
)

// Options are an Engine's dependencies, given once to [New].
type Options struct {
	// Target is where jobs run and where their images go; the Engine
	// closes it. Nil: an Engine that only publishes.
	Target *Target
	// Sources is the git cache that plans read and builds send from;
	// [Engine.Plan] and [Engine.Build] need it.
	Sources *gitsource.Cache
	// Locks, if set, make brewkit processes that share them build each
	// job once (see [builder.BuildLocks]).
	Locks *builder.BuildLocks
	// Keychain gives the credentials of every registry operation: base
	// image lookups, staging, the pulls and pushes of BuildKit's solves,
	// publishing. Nil means [authn.DefaultKeychain] (the Docker config
	// file and its credential helpers).
	Keychain authn.Keychain
	// Logger receives what is worth keeping but not showing: retries,
	// workers going down, raw transcripts. Nil discards it.
	Logger *slog.Logger
}

// Engine plans, builds and publishes library entries on one [Target]. It
// is safe for concurrent use: several plans and builds may run at once,
// sharing the target's workers.
type Engine struct {
	target    *Target
	sources   *gitsource.Cache
	locks     *builder.BuildLocks
	keychain  authn.Keychain
	registry  *builder.Registry
	log       *slog.Logger
	inspector *builder.Inspector // nil without Sources
}

// New returns an Engine over opts, which it checks.
func New(opts Options) (*Engine, error) {
	t := opts.Target
	if t == nil {
		t = &Target{}
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		target:   t,
		sources:  opts.Sources,
		locks:    opts.Locks,
		keychain: kc,
		registry: builder.NewRegistry(remote.WithAuthFromKeychain(kc)),
		log:      log,
	}
	if opts.Sources != nil {
		e.inspector = builder.NewInspector(opts.Sources)
	}
	return e, nil
}

// Target is where e runs jobs and keeps images.
func (e *Engine) Target() *Target { return e.target }

// Close closes the target: its layout, and a buildkitd brewkit started.
// Builds still running fail.
func (e *Engine) Close() error {
	return e.target.Close()
}

// errNoSources is the error of a plan or build by an Engine without a git
// cache.
var errNoSources = errors.New("engine: no Sources: open a git cache with gitsource.Open and give it to engine.New")
