package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/metrics"
	"github.com/brewkit/brewkit/builder/serve/notify"
	"github.com/brewkit/brewkit/builder/serve/store"
)

type serveOptions struct {
	*globalOptions
	farm         farmOptions
	source       string
	branch       string
	poll         time.Duration
	push         string
	staging      string
	stateDir     string
	cache        string
	listen       string
	backoff      string
	backoffScale float64
	jobTimeout   time.Duration
	recheck      time.Duration
	grace        time.Duration
	logCount     int
	logAge       time.Duration
	tokenFile    string
	private      bool
	tlsCert      string
	tlsKey       string
	notify       []string
	notifyFails  int
}

func newServeCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &serveOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "serve --source GIT-URL-OR-PATH --workers FILE --push REGISTRY/NAMESPACE --state DIR [--token-file FILE]",
		Short: "Run the build-farm daemon: keep a registry in step with an official-images repository",
		Long: `Run the build-farm daemon: keep a registry in step with an official-images repository.

serve polls --source (a git URL or a local path; its library/ directory)
every --poll and on POST /api/v1/sync. For each new commit it plans the
whole library and builds, on the workers, every job whose build id is not
staged in the registry (the registry is the source of truth for what is
built): a child as soon as its parent's image exists. A job that fails
backs off per build id and arch (--backoff, by attempt count), and never
holds up others. After each run it publishes every tag and shared tag whose
images are all there, children first; a tag missing an arch is held back.

Its state (runs, jobs, attempts, backoffs, build records) is in --state,
with each job's log; a restart resumes where it stopped. SIGTERM drains:
no new job starts, running ones get --grace to finish, then are cancelled
and built again after a restart.

The JSON API on --listen (docs/API.md): GET /healthz, /api/v1/status,
/api/v1/jobs?state=S, /api/v1/jobs/ID, /api/v1/jobs/ID/log (?follow=1
streams it while the job runs),
/api/v1/tags?repo=R, /api/v1/tags/REF; POST /api/v1/sync,
/api/v1/jobs/ID/retry, /api/v1/jobs/ID/cancel. Prometheus metrics on GET
/metrics. A POST needs "Authorization: Bearer TOKEN", a token of
--token-file (brewkit serve token NAME makes one); without --token-file
they are all refused. With --private, reads need the token too, but GET
/healthz. --tls-cert and --tls-key serve HTTPS. The web page at / shows
the workers, the queue and each job, its log live; Retry and Cancel
take a token.

--notify URL (repeatable) receives a JSON POST for each tag published, and
for a job whose build fails --notify-failures times in a row (and each
failure after); see package builder/serve/notify for the body.`,
		Example: `  brewkit serve --source ~/official-images --workers .farm/workers.yaml \
    --push 127.0.0.1:5000/library --state /var/lib/brewkit`,
		Args: cobra.NoArgs,
		RunE: o.run,
	}
	cmd.AddCommand(newServeTokenCmd())
	f := cmd.Flags()
	o.farm.register(f, getenv)
	f.StringVar(&o.source, "source", "", "the official-images repository: a git URL or a local path")
	f.StringVar(&o.branch, "branch", "main", "the branch of --source to follow")
	f.DurationVar(&o.poll, "poll", time.Minute, "how often --source is polled")
	f.StringVar(&o.push, "push", getenv("BREWKIT_PUSH_TO"), `where the indexes go: "REGISTRY/NAMESPACE" ($BREWKIT_PUSH_TO)`)
	f.StringVar(&o.staging, "staging", "", "staging repository prefix (default REGISTRY/brewkit/staging)")
	f.StringVar(&o.stateDir, "state", "", "directory of the daemon's state and job logs")
	f.StringVar(&o.cache, "cache", defaultCache(getenv), "cache directory: git sources in its git/, build locks in its locks/ ($BREWKIT_CACHE)")
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address of the HTTP API")
	f.StringVar(&o.tokenFile, "token-file", "", `the API's clients, a line "NAME sha256:HEX" each (brewkit serve token NAME); without it, POSTs are refused`)
	f.BoolVar(&o.private, "private", false, "reads need a token too, but GET /healthz")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the private key of --tls-cert (PEM)")
	f.StringVar(&o.backoff, "backoff", "0,0,1h,2h,4h,8h,16h,32h", "how long a failing job waits before its next attempt, by attempt count (the last repeats)")
	f.Float64Var(&o.backoffScale, "backoff-scale", 1, "multiply --backoff by this (tests use 1/3600 to turn hours into seconds)")
	f.DurationVar(&o.jobTimeout, "job-timeout", 3*time.Hour, "a solve running longer is cancelled and fails")
	f.DurationVar(&o.recheck, "recheck", time.Hour, "trust the registry's answer that it has a staged build id or a published tag's index this long; 0 asks about every job and tag at every run")
	f.DurationVar(&o.grace, "grace", 5*time.Minute, "on SIGTERM, how long running solves may finish before they are cancelled")
	f.IntVar(&o.logCount, "log-count", 10000, "job logs kept, at most")
	f.DurationVar(&o.logAge, "log-age", 30*24*time.Hour, "job logs older than this are removed")
	f.StringArrayVar(&o.notify, "notify", nil, "POST a JSON notification to this URL when a tag is published or a job fails (repeatable)")
	f.IntVar(&o.notifyFails, "notify-failures", 3, "notify when a job's build fails this many times in a row, and on every failure after")
	return cmd
}

// check refuses bad flags before anything is opened or started.
func (o *serveOptions) check() (store.Schedule, error) {
	if o.source == "" || o.stateDir == "" || o.push == "" || !o.farm.given() {
		return nil, errors.New("serve needs --source, --workers (or --worker), --push and --state")
	}
	if err := (engine.PublishOptions{To: o.push}).Check(); err != nil {
		return nil, fmt.Errorf("--push: %w", err)
	}
	if err := engine.CheckStaging(o.staging); err != nil {
		return nil, fmt.Errorf("--staging: %w", err)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return nil, fmt.Errorf("--listen %q: want HOST:PORT: %w", o.listen, err)
	}
	sched, err := store.ParseSchedule(o.backoff)
	if err != nil {
		return nil, fmt.Errorf("--backoff: %w", err)
	}
	if o.backoffScale <= 0 {
		return nil, fmt.Errorf("--backoff-scale %v: want a positive factor", o.backoffScale)
	}
	if o.notifyFails <= 0 {
		return nil, fmt.Errorf("--notify-failures %d: want a positive count", o.notifyFails)
	}
	for _, u := range o.notify {
		if err := notify.CheckURL(u); err != nil {
			return nil, fmt.Errorf("--notify: %w", err)
		}
	}
	return sched.Scale(o.backoffScale), nil
}

func (o *serveOptions) run(cmd *cobra.Command, _ []string) (err error) {
	sched, err := o.check()
	if err != nil {
		return err
	}
	fr, err := o.loadFront()
	if err != nil {
		return err
	}
	st, err := store.Open(o.stateDir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	sources, err := gitsource.Open(filepath.Join(o.cache, "git"), gitsource.WithLogger(o.log))
	if err != nil {
		return fmt.Errorf("--cache: %w", err)
	}
	e, err := o.newEngine(sources)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	m, err := metrics.New(metrics.Options{Jobs: st, Workers: e})
	if err != nil {
		return err
	}
	n, err := notify.New(notify.Options{URLs: o.notify, Failures: o.notifyFails, Logger: o.log})
	if err != nil {
		return fmt.Errorf("--notify: %w", err)
	}
	defer func() { err = errors.Join(err, closeNotifier(n)) }()
	d, err := o.newDaemon(sources, e, st, sched, serve.Observers(m.Observe, n.Observe))
	if err != nil {
		return err
	}
	return o.serve(cmd.Context(), e, d, fr, m.Handler())
}

// closeNotifier delivers the notifications left, for a few seconds at
// most.
func closeNotifier(n *notify.Notifier) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return n.Close(ctx)
}

// newEngine is the engine over the workers, which a daemon holds for days:
// a job whose workers are down waits for them.
func (o *serveOptions) newEngine(sources *gitsource.Cache) (*engine.Engine, error) {
	ws, registry, err := o.farm.load()
	if err != nil {
		return nil, err
	}
	t, err := engine.Farm(ws, registry, o.staging)
	if err != nil {
		return nil, err
	}
	if t.Staging == "" {
		return nil, errors.New("no registry to stage images in: give --registry, a workers file with a registry, or --staging")
	}
	locks, err := builder.OpenBuildLocks(filepath.Join(o.cache, "locks"))
	if err != nil {
		return nil, fmt.Errorf("--cache: %w", err)
	}
	return engine.New(engine.Options{Target: t, Sources: sources, Locks: locks, Logger: o.log,
		WaitForWorkers: true, Fair: true, JobTimeout: o.jobTimeout, Heartbeat: 10 * time.Second, Recheck: o.recheck})
}

func (o *serveOptions) newDaemon(sources *gitsource.Cache, e *engine.Engine, st *store.Store, sched store.Schedule, observe func(serve.Event)) (*serve.Daemon, error) {
	logs, err := store.NewLogs(filepath.Join(o.stateDir, "logs"))
	if err != nil {
		return nil, fmt.Errorf("--state: %w", err)
	}
	return serve.New(serve.Options{Source: o.source, Branch: o.branch, Poll: o.poll, Sources: sources, Engine: e,
		Store: st, Logs: logs, Publish: engine.PublishOptions{To: o.push}, Schedule: sched,
		LogCount: o.logCount, LogAge: o.logAge, Logger: o.log, Observe: observe})
}

// serve runs the daemon and its API until ctx is done (SIGTERM or
// SIGINT), then drains: no new job, --grace for the running ones.
func (o *serveOptions) serve(ctx context.Context, e *engine.Engine, d *serve.Daemon, fr front, metricsHandler http.Handler) error {
	srv, err := fr.server(d, metricsHandler)
	if err != nil {
		return err
	}
	ln, err := fr.listen(o.listen)
	if err != nil {
		return err
	}
	go fr.serve(srv, ln)
	o.logStart(fr, ln)
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx)) // builds outlive the signal until drained
	defer stop()
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	<-ctx.Done()
	o.log.Info("draining", "grace", o.grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), o.grace)
	defer cancel()
	drainErr := e.Drain(graceCtx)
	stop()
	runErr := <-done
	return errors.Join(drainErr, runErr, srv.Shutdown(graceCtx))
}
