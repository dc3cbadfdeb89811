package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

type result struct {
	Jobs                 int           `json:"jobs"`
	Levels               int           `json:"levels"`
	Width                int           `json:"width"`
	Sleep                time.Duration `json:"sleep"`
	Workers              int           `json:"workers"`
	Concurrency          int           `json:"concurrency"`
	WorkerFetch          bool          `json:"workerFetch"` // workers fetched the git source, rather than brewkit sending contexts
	Plan                 time.Duration `json:"plan"`
	Makespan             time.Duration `json:"makespan"`
	NominalCriticalPath  time.Duration `json:"nominalCriticalPath"`
	MeasuredCriticalPath time.Duration `json:"measuredCriticalPath"`
	Sequential           time.Duration `json:"sequential,omitempty"`
	Baseline             string        `json:"baseline,omitempty"` // how Sequential was built
	// Rebuild is the same plan run again, nothing changed: its time, how
	// many jobs were solved, and how many writes the registry logged.
	Rebuild        time.Duration `json:"rebuild"`
	RebuildSolves  int           `json:"rebuildSolves"`
	RebuildWrites  int           `json:"rebuildRegistryWrites"`
	FirstRunWrites int           `json:"firstRunRegistryWrites"`
	// JobTime is the mean time of a DAG job, by architecture: the sleep
	// plus what a solve costs around it.
	JobTime map[string]time.Duration `json:"jobTime"`
	// Phases are the DAG jobs' time by phase (package builder/timeline),
	// summed over jobs; FixedCost is the median of a job's time minus its
	// RUN sleep's step: what a solve costs around the work.
	Phases    map[string]time.Duration `json:"phases"`
	FixedCost time.Duration            `json:"fixedCost"`
	// CoordinatorCPU is this process's CPU time (user and system) over
	// the timed build: what one coordinator spends per job.
	CoordinatorCPU time.Duration `json:"coordinatorCPU"`
	// CPU is the machine's and the farm's processes' CPU time over the
	// timed build: with the farm on the same cores, what bounds the
	// fixed cost per job.
	CPU CPU `json:"cpu"`
}

// bench is one benchmark run's shared state.
type bench struct {
	c        config
	farmRoot string
	// repoPrefix is the first component of this run's staging
	// repositories ("bench-1a2b"), by which its registry writes are told
	// from others'.
	repoPrefix string
	fix        *fixture
	ws         []workers.Worker
	insp       *builder.Inspector
	exec       *builder.Executor
	library    string
}

func run(ctx context.Context, c config) (*result, error) {
	b, cleanup, err := setup(c)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &result{Levels: c.levels, Width: c.width, Sleep: c.sleep, Workers: len(b.ws), Concurrency: c.concurrency, WorkerFetch: c.workerFetch,
		NominalCriticalPath: time.Duration(c.levels) * c.sleep}
	// the base images, built once and not timed
	if _, _, err := b.build(ctx, "base"); err != nil {
		return nil, fmt.Errorf("building the base images: %w", err)
	}
	writes := b.registryWrites()
	planStart := time.Now()
	rec := timeline.New()
	cpu0, farm0 := processCPU(), sampleCPU(b.farmRoot)
	p, report, err := b.buildTimed(ctx, rec, "base", "dag")
	if err != nil {
		return nil, err
	}
	res.CPU = sampleCPU(b.farmRoot).since(farm0)
	res.CoordinatorCPU = processCPU() - cpu0
	res.Phases, res.FixedCost = phases(rec)
	res.FirstRunWrites = b.registryWrites() - writes
	if err := b.rebuild(ctx, res); err != nil {
		return nil, err
	}
	res.Jobs = len(p.Jobs) - len(b.ws)
	res.Plan, res.Makespan = report.Start.Sub(planStart), report.End.Sub(report.Start)
	res.MeasuredCriticalPath = criticalPath(report)
	res.JobTime = meanJobTime(report)
	if c.sequential {
		res.Baseline = c.baseline
		if c.baseline == "buildctl" {
			res.Sequential, err = b.sequentialBuildctl(ctx)
		} else {
			res.Sequential, err = b.sequential(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

func setup(c config) (*bench, func(), error) {
	farm, err := filepath.Abs(c.farm)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := workers.LoadConfig(farm)
	if err != nil {
		return nil, nil, err
	}
	for i := range cfg.Workers {
		cfg.Workers[i].Concurrency = c.concurrency
	}
	tmp, err := os.MkdirTemp("", "farmdag-")
	if err != nil {
		return nil, nil, err
	}
	fix, err := newFixture(tmp, filepath.Dir(filepath.Dir(farm)))
	cleanup := func() { fix.close(); os.RemoveAll(tmp) }
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	cache, err := gitsource.Open(filepath.Join(tmp, "cache"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	prefix := "bench-" + randomHex(4)
	exec := &builder.Executor{Staging: cfg.Registry + "/" + prefix + "/staging", Registry: builder.NewRegistry(), Cache: cache, SendContexts: !c.workerFetch}
	if c.progress != "" {
		if exec.Progress, err = builder.NewProgress(os.Stderr, c.progress); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	b := &bench{c: c, farmRoot: filepath.Dir(filepath.Dir(farm)), repoPrefix: prefix, fix: fix, ws: cfg.Workers, insp: builder.NewInspector(cache), exec: exec, library: filepath.Join(tmp, "library")}
	return b, func() { exec.Close(); cleanup() }, b.newCommit()
}

// newCommit commits the DAG with a new nonce and writes the library.
func (b *bench) newCommit() error {
	commit, _, err := b.fix.commit(b.c.levels, b.c.width, b.c.sleep)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(b.library, 0o755); err != nil {
		return err
	}
	for name, text := range b.fix.library(commit, b.c.levels, b.c.width) {
		if err := os.WriteFile(filepath.Join(b.library, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// plan plans the named library files.
func (b *bench) plan(ctx context.Context, names ...string) (*scheduler.Plan, error) {
	l := manifest.Loader{Library: b.library}
	var repos []*manifest.Repo
	for _, n := range names {
		r, err := l.Load(ctx, n)
		if err != nil {
			return nil, err
		}
		repos = append(repos, r)
	}
	return scheduler.NewPlan(ctx, repos, b.insp, scheduler.Options{})
}

// build plans and runs the named library files on the farm.
func (b *bench) build(ctx context.Context, names ...string) (*scheduler.Plan, *scheduler.Report, error) {
	p, err := b.plan(ctx, names...)
	if err != nil {
		return nil, nil, err
	}
	report := (&scheduler.Runner{Workers: b.ws, Exec: b.exec}).Run(ctx, p)
	return p, report, report.Err()
}

// buildTimed is build, recording the run's timeline in rec.
func (b *bench) buildTimed(ctx context.Context, rec *timeline.Recorder, names ...string) (*scheduler.Plan, *scheduler.Report, error) {
	p, err := b.plan(ctx, names...)
	if err != nil {
		return nil, nil, err
	}
	b.exec.Status = rec.Status
	defer func() { b.exec.Status = nil }()
	report := (&scheduler.Runner{Workers: b.ws, Exec: b.exec, Observe: rec.Observe, ObserveReady: true}).Run(ctx, p)
	return p, report, report.Err()
}

// phases are the built jobs' time by phase, and the median of their
// fixed cost: a job's time minus its RUN sleep.
func phases(rec *timeline.Recorder) (map[string]time.Duration, time.Duration) {
	sum := map[string]time.Duration{}
	var fixed []time.Duration
	for _, a := range rec.Attempts() {
		var run time.Duration
		for _, s := range a.Steps {
			if strings.Contains(s.Name, "sleep") {
				run += s.Took
			}
		}
		if run == 0 {
			continue // a base image, or a job found staged
		}
		for p, d := range a.Phases {
			sum[p] += d
		}
		fixed = append(fixed, a.Took-run)
	}
	slices.Sort(fixed)
	if len(fixed) == 0 {
		return sum, 0
	}
	return sum, fixed[len(fixed)/2]
}

// rebuild plans and runs the same library again: nothing should be built.
func (b *bench) rebuild(ctx context.Context, res *result) error {
	writes := b.registryWrites()
	start := time.Now()
	_, report, err := b.build(ctx, "base", "dag")
	if err != nil {
		return err
	}
	res.Rebuild = time.Since(start)
	res.RebuildSolves = report.Count(scheduler.Built)
	res.RebuildWrites = b.registryWrites() - writes
	return nil
}

// registryWrites counts the PUT, POST, PATCH and DELETE requests in the
// farm registry's log, or -1 when there is no log.
func (b *bench) registryWrites() int {
	data, err := os.ReadFile(filepath.Join(b.farmRoot, ".farm", "registry", "registry.log"))
	if err != nil {
		return -1
	}
	n := 0 // requests to this run's repositories only: tests may share the registry
	for _, m := range []string{`"PUT `, `"POST `, `"PATCH `, `"DELETE `} {
		n += bytes.Count(data, []byte(m+"/v2/"+b.repoPrefix+"/"))
	}
	return n
}

// sequential builds a new commit of the DAG one job at a time, parents
// first, through the same executor.
func (b *bench) sequential(ctx context.Context) (time.Duration, error) {
	if err := b.newCommit(); err != nil {
		return 0, err
	}
	p, err := b.plan(ctx, "base", "dag")
	if err != nil {
		return 0, err
	}
	results := map[*scheduler.Job]scheduler.Result{}
	start := time.Now()
	for _, j := range topological(p.Jobs) {
		parents := make([]scheduler.ParentResult, len(j.Parents))
		for i, e := range j.Parents {
			parents[i] = scheduler.ParentResult{Edge: e, Result: results[e.Job]}
		}
		res, err := b.exec.Build(ctx, b.worker(j.Arch), j, parents)
		if err != nil {
			return 0, fmt.Errorf("sequential %s: %w", j, err)
		}
		results[j] = res
	}
	return time.Since(start), nil
}

func (b *bench) worker(arch string) workers.Worker {
	for _, w := range b.ws {
		for _, a := range w.Arches {
			if a == arch {
				return w
			}
		}
	}
	return b.ws[0]
}

// topological orders jobs parents first.
func topological(jobs []*scheduler.Job) []*scheduler.Job {
	var out []*scheduler.Job
	seen := map[*scheduler.Job]bool{}
	var visit func(j *scheduler.Job)
	visit = func(j *scheduler.Job) {
		if seen[j] {
			return
		}
		seen[j] = true
		for _, e := range j.Parents {
			visit(e.Job)
		}
		out = append(out, j)
	}
	for _, j := range jobs {
		visit(j)
	}
	return out
}

// meanJobTime is the mean time of the built jobs, by architecture.
func meanJobTime(r *scheduler.Report) map[string]time.Duration {
	sum, n := map[string]time.Duration{}, map[string]int{}
	for _, o := range r.Outcomes {
		if o.Status == scheduler.Built {
			sum[o.Job.Arch] += o.Duration()
			n[o.Job.Arch]++
		}
	}
	for a := range sum {
		sum[a] /= time.Duration(n[a])
	}
	return sum
}

// criticalPath is the longest chain of measured job times.
func criticalPath(r *scheduler.Report) time.Duration {
	took := map[*scheduler.Job]time.Duration{}
	for _, o := range r.Outcomes {
		took[o.Job] = o.Duration()
	}
	memo := map[*scheduler.Job]time.Duration{}
	var chain func(j *scheduler.Job) time.Duration
	chain = func(j *scheduler.Job) time.Duration {
		if d, ok := memo[j]; ok {
			return d
		}
		var longest time.Duration
		for _, e := range j.Parents {
			longest = max(longest, chain(e.Job))
		}
		memo[j] = longest + took[j]
		return memo[j]
	}
	var cp time.Duration
	for _, o := range r.Outcomes {
		cp = max(cp, chain(o.Job))
	}
	return cp
}

func (r *result) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "jobs\t%d (%d levels x %d wide x %d arches), RUN sleep %s\n", r.Jobs, r.Levels, r.Width, r.Workers, r.Sleep)
	context := "sent from brewkit's git cache"
	if r.WorkerFetch {
		context = "fetched by each worker (BuildKit's git source)"
	}
	fmt.Fprintf(tw, "workers\t%d, %d slots each; build contexts %s\n", r.Workers, r.Concurrency, context)
	fmt.Fprintf(tw, "planning\t%s (git fetch, checksums, Dockerfiles)\n", r.Plan.Round(time.Millisecond))
	fmt.Fprintf(tw, "critical path\t%s nominal (levels x sleep), %s measured (longest chain of job times)\n", r.NominalCriticalPath, r.MeasuredCriticalPath.Round(time.Millisecond))
	fmt.Fprintf(tw, "mean job time\t%v\n", r.JobTime)
	fmt.Fprintf(tw, "coordinator CPU\t%s over the build, %s a job\n", r.CoordinatorCPU.Round(time.Millisecond), (r.CoordinatorCPU / time.Duration(max(r.Jobs, 1))).Round(time.Millisecond))
	fmt.Fprintf(tw, "CPU over the build\t%s\n", r.CPU.String(r.Jobs, r.Makespan))
	fmt.Fprintf(tw, "fixed cost per job\t%s median (a job's time minus its RUN sleep)\n", r.FixedCost.Round(time.Millisecond))
	for _, p := range timeline.Phases {
		if d, ok := r.Phases[p]; ok && p != timeline.PhaseWait {
			fmt.Fprintf(tw, "  %s\t%s over all DAG jobs, %s a job\n", p, d.Round(time.Millisecond), (d / time.Duration(max(r.Jobs, 1))).Round(time.Millisecond))
		}
	}
	fmt.Fprintf(tw, "brewkit makespan\t%s = %.2fx the nominal critical path, %.2fx the measured one\n", r.Makespan.Round(time.Millisecond),
		r.Makespan.Seconds()/r.NominalCriticalPath.Seconds(), r.Makespan.Seconds()/r.MeasuredCriticalPath.Seconds())
	fmt.Fprintf(tw, "rebuild, nothing changed\t%s = %.1f%% of the build; %d solves, %d registry writes (the build: %d)\n", r.Rebuild.Round(time.Millisecond),
		100*r.Rebuild.Seconds()/(r.Plan+r.Makespan).Seconds(), r.RebuildSolves, r.RebuildWrites, r.FirstRunWrites)
	if r.Sequential > 0 {
		fmt.Fprintf(tw, "one job at a time (%s)\t%s: brewkit is %.1fx faster\n", r.Baseline, r.Sequential.Round(time.Millisecond), r.Sequential.Seconds()/r.Makespan.Seconds())
	}
	tw.Flush()
}
