package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve/source"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// Options are a Daemon's settings and dependencies.
type Options struct {
	// Source is the official-images repository, a git URL or a local
	// path; Branch is the branch followed ("main" when empty). The
	// library is its library/ directory.
	Source, Branch string
	// Poll is how often Source is polled; 0 means one minute.
	Poll time.Duration
	// Sources is the git cache Source is fetched into (the engine's may
	// be shared).
	Sources *gitsource.Cache
	// Engine plans, builds and publishes; the Daemon holds it for its
	// whole life. Give it WaitForWorkers, so that a job whose workers
	// are down waits for them.
	Engine *engine.Engine
	// Store keeps the daemon's state across restarts; Logs the jobs' logs.
	Store *store.Store
	Logs  *store.Logs
	// Publish says where the indexes go.
	Publish engine.PublishOptions
	// Schedule is how long a failing job waits before its next attempt,
	// by attempt count; nil means store.DefaultSchedule.
	Schedule store.Schedule
	// LogCount and LogAge bound the job logs kept; 0 means 10,000 and 30
	// days.
	LogCount int
	LogAge   time.Duration
	// Logger receives what the daemon does; nil discards it.
	Logger *slog.Logger
	// Observe, if set, is told of what the daemon does, as it happens:
	// a job queued, started or ended, a sync, an index written, a
	// publish or a run ended (see [Event]). It is called synchronously,
	// from the goroutines that do the work (a job's event from the
	// scheduler's), so it must not block, nor call the Daemon back: copy
	// what it needs and return, or hand the event to a goroutine of its
	// own through a bounded queue. Combine several with [Observers].
	Observe func(Event)
}

// Daemon keeps a registry in step with an official-images repository:
// each new commit of Source is planned, the jobs not staged yet are built
// (a failing one backs off), and the indexes of complete tags published.
// Its state is in Store, so that a restart resumes. See the package doc.
type Daemon struct {
	opts    Options
	log     *slog.Logger
	watcher *source.Watcher

	syncReq chan struct{} // a sync was asked for
	wake    chan struct{} // a run is due: a backoff ended, a retry
	runs    sync.WaitGroup

	mu       sync.Mutex
	state    *state       // the current plan and its jobs' states
	running  bool         // a run is in progress
	again    bool         // another run is due when it ends
	syncErr  error        // of the last sync, if it failed
	timer    *time.Timer  // the next run, at the earliest backoff's end
	timeline *RunTimeline // of the last run that ended

	streams *logStreams // the live log streams, ended when Run returns
}

// errCancelled is the cause of a job cancelled through the API.
var errCancelled = errors.New("cancelled by a request")

// New checks opts and returns a Daemon; Run starts it.
func New(opts Options) (*Daemon, error) {
	if opts.Source == "" {
		return nil, errors.New("serve: no Source: give the official-images repository, a git URL or a local path")
	}
	if opts.Engine == nil || opts.Store == nil || opts.Logs == nil || opts.Sources == nil {
		return nil, errors.New("serve: Engine, Store, Logs and Sources are required")
	}
	if err := opts.Publish.Check(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if opts.Branch == "" {
		opts.Branch = "main"
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Minute
	}
	if opts.Schedule == nil {
		opts.Schedule = store.DefaultSchedule()
	}
	if opts.LogCount <= 0 {
		opts.LogCount = 10000
	}
	if opts.LogAge <= 0 {
		opts.LogAge = 30 * 24 * time.Hour
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{
		opts:    opts,
		log:     log,
		watcher: source.NewWatcher(opts.Sources, opts.Source, opts.Branch),
		syncReq: make(chan struct{}, 1),
		wake:    make(chan struct{}, 1),
		streams: newLogStreams(),
	}
	d.state = newState(nil, "", 0, d.emit)
	return d, nil
}

// Run syncs at once, then every Poll and whenever [Daemon.Sync] asks,
// until ctx is done; it then waits for the run in progress, whose builds
// see ctx too (drain the engine first to let them finish). As it returns,
// the logs being streamed end.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.streams.stop()
	if err := d.restore(); err != nil {
		return err
	}
	tick := time.NewTicker(d.opts.Poll)
	defer tick.Stop()
	d.Sync()
	for {
		select {
		case <-ctx.Done():
			d.runs.Wait()
			return nil
		case <-tick.C:
			d.sync(ctx)
		case <-d.syncReq:
			d.sync(ctx)
		case <-d.wake:
			d.startRun(ctx)
		}
	}
}

// Sync asks for a sync: a poll of Source and, on a new commit, a run.
func (d *Daemon) Sync() { signal(d.syncReq) }

// due asks for a run of the current plan.
func (d *Daemon) due() { signal(d.wake) }

// signal sends on a channel of one that may be full already.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// sync polls Source and, when its head moved, plans the new library and
// starts a run of it.
func (d *Daemon) sync(ctx context.Context) {
	start := time.Now()
	commit, st, err := d.poll(ctx)
	d.emit(Event{Kind: Synced, Commit: commit, Took: time.Since(start), Err: err})
	if st == nil {
		return
	}
	d.mu.Lock()
	d.state = st
	d.mu.Unlock()
	d.startRun(ctx)
}

// poll polls Source and returns the commit at its head and, when it
// moved, the state of the plan of its library.
func (d *Daemon) poll(ctx context.Context) (string, *state, error) {
	start := time.Now()
	lib, changed, err := d.watcher.Poll(ctx)
	d.mu.Lock()
	d.syncErr = err
	d.mu.Unlock()
	if err != nil {
		d.log.Error("sync failed", "source", d.opts.Source, "err", err)
		return "", nil, err
	}
	if !changed {
		return lib.Commit, nil, nil
	}
	for _, e := range lib.Errors {
		d.log.Warn("library file not planned", "commit", lib.Commit, "err", e)
	}
	p, err := d.opts.Engine.Plan(ctx, lib.Repos, engine.PlanOptions{})
	if err != nil {
		d.log.Error("planning failed", "commit", lib.Commit, "err", err)
		return lib.Commit, nil, fmt.Errorf("planning %s: %w", lib.Commit, err)
	}
	if err := d.opts.Store.SetCommit(lib.Commit, time.Now()); err != nil {
		d.log.Error("store", "err", err)
	}
	d.log.Info("synced", "commit", lib.Commit, "jobs", len(p.Jobs), "took", time.Since(start))
	return lib.Commit, newState(p, lib.Commit, 0, d.emit), nil
}

// startRun runs the current plan, or, when a run is in progress, has
// another run follow it.
func (d *Daemon) startRun(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state.plan == nil {
		return
	}
	if d.running {
		d.again = true
		return
	}
	d.running = true
	st := d.state
	d.runs.Add(1)
	go func() {
		defer d.runs.Done()
		d.run(ctx, st)
		d.mu.Lock()
		d.running = false
		again := d.again
		d.again = false
		d.mu.Unlock()
		if again && ctx.Err() == nil {
			d.due()
		}
	}()
}
