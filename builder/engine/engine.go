package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
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
	// WaitForWorkers makes a job whose workers are all down wait for one
	// to answer a probe again, however long that takes: for a daemon. By
	// default such a job fails once its workers have failed as many
	// checks in a row as a job has attempts, so that a CLI run ends.
	WaitForWorkers bool
	// WorkerFetch lets each worker fetch the public repositories it
	// builds with BuildKit's git source. By default every build context
	// is sent from Sources instead (see [builder.Executor.SendContexts]):
	// on the lab farm that takes a third of the git source's time per job
	// (docs/PERFORMANCE.md), and a build that a kill cuts short leaves no
	// worker's git checkout unreadable for later builds.
	WorkerFetch bool
	// Fair shares the workers' slots between repositories, so that one
	// repository's many jobs do not starve another's few (see
	// [scheduler.Runner.Fair]): for a daemon building a whole library.
	Fair bool
	// JobTimeout, if set, cancels and fails a job attempt that runs
	// longer: a hung solve.
	JobTimeout time.Duration
	// Recheck, if set, is how long the Engine trusts a registry's answer
	// that it has an image: a build id found staged (see
	// [builder.LookupCache]), a tag found or written with the index it
	// should have (see [publish.TagCache]). Builds and publishes within
	// it ask the registry only about what is new or changed. Zero trusts
	// nothing: every build looks every job up, every publish asks about
	// every tag, as a CLI run should. A daemon sets an hour or so.
	Recheck time.Duration
	// Heartbeat, if set, probes every worker that is up that often, so
	// that one that dies is marked down, and gets no job, even while it
	// runs none.
	Heartbeat time.Duration
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
	inspector *builder.Inspector   // nil without Sources
	pool      *scheduler.Pool      // the target's workers, shared by every build
	staged    *publish.StagedCache // what Publish read of staged images
	found     *builder.LookupCache // nil without Options.Recheck
	tags      *publish.TagCache    // nil without Options.Recheck
	wait      bool                 // Options.WaitForWorkers
	send      bool                 // !Options.WorkerFetch
	fair      bool                 // Options.Fair
	timeout   time.Duration        // Options.JobTimeout
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
	staged, err := publish.NewStagedCache(maxStaged)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		target:   t,
		sources:  opts.Sources,
		locks:    opts.Locks,
		keychain: kc,
		registry: builder.NewRegistry(remote.WithAuthFromKeychain(kc)),
		log:      log,
		pool:     scheduler.NewPool(t.Workers, scheduler.PoolOptions{Probe: probe, Heartbeat: opts.Heartbeat, ProbeTimeout: 2 * opts.Heartbeat}),
		wait:     opts.WaitForWorkers,
		send:     !opts.WorkerFetch,
		fair:     opts.Fair,
		timeout:  opts.JobTimeout,
		staged:   staged,
	}
	if opts.Recheck > 0 {
		if e.found, err = builder.NewLookupCache(maxRemembered, opts.Recheck); err != nil {
			return nil, err
		}
		if e.tags, err = publish.NewTagCache(maxRemembered, opts.Recheck); err != nil {
			return nil, err
		}
	}
	if opts.Sources != nil {
		e.inspector = builder.NewInspector(opts.Sources)
	}
	return e, nil
}

// maxStaged bounds the staged images an Engine remembers reading: more
// than the jobs of the whole official library, some 7,900.
const maxStaged = 16384

// maxRemembered bounds the build ids and the tags an Engine with
// Options.Recheck trusts: more than the official library's 7,900 jobs
// and 9,300 tags per namespace.
const maxRemembered = 65536

// Target is where e runs jobs and keeps images.
func (e *Engine) Target() *Target { return e.target }

// Health is the state of each of the target's workers: up or down, and
// the slots in use by every build.
func (e *Engine) Health() []scheduler.WorkerHealth { return e.pool.Health() }

// Drain stops starting jobs (builds end with the jobs not started
// cancelled), lets running solves finish, and cancels them when ctx is
// done. A build started afterwards ends at once.
func (e *Engine) Drain(ctx context.Context) error { return e.pool.Drain(ctx) }

// Close drains e, cancelling every running solve, then closes the
// target: its layout, and a buildkitd brewkit started.
func (e *Engine) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // nothing running is waited for
	return errors.Join(e.pool.Drain(ctx), e.target.Close())
}

// probe checks a worker that is down: it answers, and builds what it
// claims.
func probe(ctx context.Context, w workers.Worker) error {
	if s := builder.Probe(ctx, w); !s.OK() {
		if s.Err != nil {
			return s.Err
		}
		return fmt.Errorf("worker %q at %s does not build %v", w.Name, w.Address, s.MissingArches)
	}
	return nil
}

// errNoSources is the error of a plan or build by an Engine without a git
// cache.
var errNoSources = errors.New("engine: no Sources: open a git cache with gitsource.Open and give it to engine.New")
