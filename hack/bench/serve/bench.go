package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/source"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// bench is a daemon in this process and the repository it follows.
type bench struct {
	c       config
	oi      string // the official-images repository
	sources *gitsource.Cache
	e       *engine.Engine
	st      *store.Store
	d       *serve.Daemon
	rec     *recorder
	ended   chan store.Run
	regPid  int   // the farm's registry
	wkPids  []int // and buildkitds
}

func run(ctx context.Context, c config) (*result, error) {
	b, cleanup, err := setup(c)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.d.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	res := &result{Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Start: time.Now(), Delay: c.delay, Recheck: c.recheck}
	if res.Stage, err = b.stage(ctx); err != nil {
		return res, err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return res, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, err
		}
		defer pprof.StopCPUProfile()
	}
	for i := range c.syncs {
		s, err := b.sync(ctx, i+1)
		if err != nil {
			return res, err
		}
		res.Syncs = append(res.Syncs, s)
		fmt.Fprintf(os.Stderr, "sync %d: %s (synced %s, lookups %s, publish %s, end %s), heap %.1f MiB, RSS %.1f MiB\n",
			i+1, s.Total.Round(time.Millisecond), s.SyncTook.Round(time.Millisecond), s.Lookups.Round(time.Millisecond),
			s.Publish.Round(time.Millisecond), s.End.Round(time.Millisecond), mib(s.HeapInuse), mib(s.RSS))
	}
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if c.memProfile != "" {
		if err := writeHeapProfile(c.memProfile); err != nil {
			return res, err
		}
	}
	if c.split > 0 {
		if res.Split, err = b.splitTimes(ctx, c.split); err != nil {
			return res, err
		}
	}
	return res, nil
}

func setup(c config) (*bench, func(), error) {
	cfg, err := workers.LoadConfig(c.farm)
	if err != nil {
		return nil, nil, err
	}
	logf, err := os.Create(c.logFile)
	if err != nil {
		return nil, nil, err
	}
	b := &bench{c: c, oi: filepath.Join(c.synth, "official-images"), ended: make(chan store.Run, 16),
		rec: newRecorder(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	b.regPid, b.wkPids = farmPids(c.farm)
	if c.registryPid != 0 {
		b.regPid = c.registryPid
	}
	log := slog.New(b.rec)
	var closers []func() error
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	closers = append(closers, logf.Close)
	fail := func(err error) (*bench, func(), error) { cleanup(); return nil, nil, err }
	if c.delay > 0 {
		proxy, stop, err := delayProxy(cfg.Registry, c.delay)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, func() error { stop(); return nil })
		if c.staging, err = viaProxy(c.staging, cfg.Registry, proxy); err != nil {
			return fail(err)
		}
		if c.push, err = viaProxy(c.push, cfg.Registry, proxy); err != nil {
			return fail(err)
		}
		b.c = c
	}
	// as cmd/brewkit/serve.go: newEngine and newDaemon
	if b.sources, err = gitsource.Open(filepath.Join(c.cache, "git"), gitsource.WithLogger(log)); err != nil {
		return fail(err)
	}
	t, err := engine.Farm(cfg.Workers, cfg.Registry, c.staging)
	if err != nil {
		return fail(err)
	}
	locks, err := builder.OpenBuildLocks(filepath.Join(c.cache, "locks"))
	if err != nil {
		return fail(err)
	}
	b.e, err = engine.New(engine.Options{Target: t, Sources: b.sources, Locks: locks, Logger: log,
		WaitForWorkers: true, Fair: true, JobTimeout: 3 * time.Hour, Heartbeat: 10 * time.Second, Recheck: c.recheck})
	if err != nil {
		return fail(err)
	}
	closers = append(closers, b.e.Close)
	state := c.state
	if state == "" {
		if state, err = os.MkdirTemp("", "serve-bench-state-"); err != nil {
			return fail(err)
		}
		closers = append(closers, func() error { return os.RemoveAll(state) })
	}
	if b.st, err = store.Open(state); err != nil {
		return fail(err)
	}
	closers = append(closers, b.st.Close)
	logs, err := store.NewLogs(filepath.Join(state, "logs"))
	if err != nil {
		return fail(err)
	}
	b.d, err = serve.New(serve.Options{Source: b.oi, Branch: "main", Poll: time.Hour, Sources: b.sources, Engine: b.e,
		Store: b.st, Logs: logs, Publish: engine.PublishOptions{To: b.c.push}, Logger: log,
		Observe: func(ev serve.Event) {
			if ev.Kind == serve.RunEnded {
				b.ended <- ev.Run
			}
		}})
	if err != nil {
		return fail(err)
	}
	return b, cleanup, nil
}

// stageResult is the first sync: on a registry without the images, the
// staging of the whole library.
type stageResult struct {
	Runs     int            `json:"runs"`
	Took     time.Duration  `json:"took"`
	Jobs     int            `json:"jobs"`
	Statuses map[string]int `json:"statuses"` // of the jobs, over all its runs
	Written  int64          `json:"written"`  // indexes
	Counts   map[string]int `json:"counts"`   // jobs by state at the end
	Replans  int            `json:"replans"`  // commits made to plan failed jobs again
}

// stage waits for the daemon's first sync (Run starts one) and the runs
// after it until every job has succeeded, or a run leaves jobs in a state
// no later run changes by itself.
func (b *bench) stage(ctx context.Context) (stageResult, error) {
	start := time.Now()
	res := stageResult{Statuses: map[string]int{}}
	deadline := time.After(b.c.stageTimeout)
	for {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-deadline:
			return res, fmt.Errorf("the first sync did not end in %s", b.c.stageTimeout)
		case r := <-b.ended:
			w := b.rec.reset()
			res.Runs++
			res.Took = time.Since(start)
			res.Written += w.written
			for k, v := range w.statuses {
				res.Statuses[k] += v
			}
			res.Counts, res.Jobs = r.Counts, 0
			for _, n := range r.Counts {
				res.Jobs += n
			}
			fmt.Fprintf(os.Stderr, "first sync, run %d: %s, jobs %v, statuses %v, indexes written %d, err %q\n",
				res.Runs, time.Since(start).Round(time.Second), r.Counts, w.statuses, w.written, r.Err)
			switch {
			case r.Err != "":
				return res, fmt.Errorf("run %d failed: %s", r.ID, r.Err)
			case r.Counts[serve.StateSucceeded] == res.Jobs:
				return res, nil
			case r.Counts[serve.StateBackoff] > 0:
				continue // the daemon runs again when the first backoff ends
			case res.Replans < maxReplans:
				// Jobs whose planning failed stay failed until the next
				// commit is planned: make one.
				if err := b.replan(r); err != nil {
					return res, err
				}
				res.Replans++
			default:
				return res, fmt.Errorf("run %d left jobs that will not be tried again: %v", r.ID, r.Counts)
			}
		}
	}
}

// maxReplans bounds the commits stage makes to plan again jobs whose
// planning failed.
const maxReplans = 2

// replan shows why jobs failed and commits a README change, which the
// daemon plans again.
func (b *bench) replan(r store.Run) error {
	failed, err := b.st.Jobs(store.JobFilter{State: serve.StateFailed})
	if err != nil {
		return err
	}
	for i, j := range failed {
		if i == 3 {
			fmt.Fprintf(os.Stderr, "  and %d more\n", len(failed)-i)
			break
		}
		fmt.Fprintf(os.Stderr, "  failed: %s: %s\n", j.ID, j.Error)
	}
	fmt.Fprintf(os.Stderr, "run %d left %d failed jobs: committing, to plan them again\n", r.ID, len(failed))
	if err := os.WriteFile(filepath.Join(b.oi, "README.md"), fmt.Appendf(nil, "replan after run %d\n", r.ID), 0o644); err != nil {
		return err
	}
	if err := gitIn(b.oi, "commit", "-q", "-a", "-m", "replan: README only"); err != nil {
		return err
	}
	b.d.Sync()
	return nil
}

// syncResult is one measured sync.
type syncResult struct {
	N         int           `json:"n"`
	Commit    string        `json:"commit"`
	Total     time.Duration `json:"total"`    // from the commit to the end of its run
	Wait      time.Duration `json:"wait"`     // from the commit to the start of the sync
	SyncTook  time.Duration `json:"syncTook"` // poll, read, plan ("synced ... took")
	Lookups   time.Duration `json:"lookups"`  // "synced" to the last "job ended"
	Publish   time.Duration `json:"publish"`  // the last "job ended" to "published"
	End       time.Duration `json:"end"`      // "published" to the end of the run
	Jobs      int           `json:"jobs"`
	Statuses  map[string]int
	Written   int64    `json:"written"`
	Blocked   int64    `json:"blocked"`
	HeapInuse uint64   `json:"heapInuse"` // after a GC
	HeapAlloc uint64   `json:"heapAlloc"`
	Sys       uint64   `json:"sys"`
	RSS       uint64   `json:"rss"` // VmRSS, after the GC
	Goroutine int      `json:"goroutines"`
	CPU       cpuTimes `json:"cpu"` // CPU seconds used during the sync
}

// sync commits a README change to the official-images repository, has
// the daemon sync, and waits for the run of that commit.
func (b *bench) sync(ctx context.Context, n int) (syncResult, error) {
	b.rec.reset()
	cpu := sampleCPU(b.regPid, b.wkPids)
	if err := os.WriteFile(filepath.Join(b.oi, "README.md"), fmt.Appendf(nil, "A synthetic official-images repository; sync %d.\n", n), 0o644); err != nil {
		return syncResult{}, err
	}
	if err := gitIn(b.oi, "commit", "-q", "-a", "-m", fmt.Sprintf("sync %d: README only", n)); err != nil {
		return syncResult{}, err
	}
	start := time.Now()
	b.d.Sync()
	commit, err := gitOut(b.oi, "rev-parse", "HEAD")
	if err != nil {
		return syncResult{}, err
	}
	var r store.Run
	for r.Commit != commit {
		select {
		case <-ctx.Done():
			return syncResult{}, ctx.Err()
		case <-time.After(10 * time.Minute):
			return syncResult{}, fmt.Errorf("sync %d: no run of %s ended in 10 minutes", n, commit)
		case r = <-b.ended:
		}
	}
	end := time.Now()
	cpu = sampleCPU(b.regPid, b.wkPids).sub(cpu)
	w := b.rec.reset()
	if r.Err != "" || w.errors > 0 {
		return syncResult{}, fmt.Errorf("sync %d: run error %q, %d errors logged, the first: %s", n, r.Err, w.errors, w.firstError)
	}
	s := syncResult{N: n, Commit: commit, Total: end.Sub(start), SyncTook: w.syncTook, Jobs: w.jobs, Statuses: w.statuses,
		Written: w.written, Blocked: w.blocked, CPU: cpu}
	s.Wait = w.synced.Add(-w.syncTook).Sub(start)
	s.Lookups = w.lastJob.Sub(w.synced)
	s.Publish = w.published.Sub(w.lastJob)
	s.End = end.Sub(w.published)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.HeapInuse, s.HeapAlloc, s.Sys, s.Goroutine = ms.HeapInuse, ms.HeapAlloc, ms.Sys, runtime.NumGoroutine()
	s.RSS, err = rss()
	return s, err
}

// splitTimes times, n times each, a poll and read of a new commit (a
// watcher of its own on the same git cache) and a plan of the library by
// the daemon's engine.
func (b *bench) splitTimes(ctx context.Context, n int) (*split, error) {
	sp := &split{}
	w := source.NewWatcher(b.sources, b.oi, "main")
	var lib *source.Library
	for i := range n {
		if err := os.WriteFile(filepath.Join(b.oi, "README.md"), fmt.Appendf(nil, "split %d\n", i), 0o644); err != nil {
			return nil, err
		}
		if err := gitIn(b.oi, "commit", "-q", "-a", "-m", "split: README only"); err != nil {
			return nil, err
		}
		start := time.Now()
		l, changed, err := w.Poll(ctx)
		if err != nil {
			return nil, err
		}
		if !changed {
			return nil, errors.New("the watcher saw no new commit")
		}
		sp.PollRead = append(sp.PollRead, time.Since(start))
		lib = l
	}
	for range n {
		start := time.Now()
		p, err := b.e.Plan(ctx, lib.Repos, engine.PlanOptions{})
		if err != nil {
			return nil, err
		}
		sp.Plan = append(sp.Plan, time.Since(start))
		sp.graph = shape(p)
	}
	return sp, nil
}

// split is what splitTimes measured, and the plan's shape.
type split struct {
	PollRead []time.Duration `json:"pollRead"`
	Plan     []time.Duration `json:"plan"`
	graph
}

// graph is the shape of a plan: its jobs by arch, FROM edges between
// them, FROMs outside it, jobs that cannot run, and the longest chain of
// jobs.
type graph struct {
	Jobs     int            `json:"jobs"`
	Arches   map[string]int `json:"arches"`
	Edges    int            `json:"edges"`
	External int            `json:"external"`
	Errors   int            `json:"errors"`
	Depth    int            `json:"depth"`
}

func shape(p *scheduler.Plan) graph {
	g := graph{Jobs: len(p.Jobs), Arches: map[string]int{}}
	depth := map[*scheduler.Job]int{}
	var level func(j *scheduler.Job) int
	level = func(j *scheduler.Job) int {
		if d, ok := depth[j]; ok {
			return d
		}
		depth[j] = 1 // a cycle (a job with Err) stops here
		d := 1
		for _, e := range j.Parents {
			d = max(d, level(e.Job)+1)
		}
		depth[j] = d
		return d
	}
	for _, j := range p.Jobs {
		g.Arches[j.Arch]++
		g.Edges += len(j.Parents)
		g.External += len(j.External)
		if j.Err != nil {
			g.Errors++
		}
		g.Depth = max(g.Depth, level(j))
	}
	return g
}

// rss is the process's resident set size, in bytes.
func rss() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func gitIn(dir string, args ...string) error {
	_, err := gitOut(dir, args...)
	return err
}

func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, ee.Stderr)
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
