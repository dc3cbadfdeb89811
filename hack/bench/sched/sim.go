package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

type result struct {
	Jobs         int           `json:"jobs"`
	Edges        int           `json:"edges"`
	MaxDepth     int           `json:"maxDepth"`
	Arches       int           `json:"arches"`
	Capacity     int           `json:"capacityPerArch"`
	WorkMinutes  float64       `json:"workMinutes"`
	CriticalPath float64       `json:"criticalPathMinutes"`
	ArchBound    float64       `json:"archBoundMinutes"`
	LowerBound   float64       `json:"lowerBoundMinutes"`
	Makespan     float64       `json:"makespanMinutes"`
	Fair         bool          `json:"fair"`
	RepoWaitP50  float64       `json:"repoFirstStartWaitMedianMinutes"`
	RepoWaitMax  float64       `json:"repoFirstStartWaitMaxMinutes"`
	Overhead     time.Duration `json:"overheadPerJob"`
	PeakRSSMiB   float64       `json:"peakRSSMiB"`
	Expand       time.Duration `json:"parseAndExpand"`
}

func run(ctx context.Context, c config) (*result, error) {
	start := time.Now()
	repos, err := load(c.library)
	if err != nil {
		return nil, err
	}
	p := scheduler.Expand(repos, scheduler.Options{})
	res := &result{Expand: time.Since(start), Jobs: len(p.Jobs)}
	rng := rand.New(rand.NewPCG(uint64(c.seed), 0))
	synthesizeFroms(p, repos, c.depth, rng)
	p.Link("")
	mins := durations(p, c, rng)
	ws := farm(p, c)
	res.Arches, res.Capacity = len(ws)/c.workers, c.workers*c.slots
	bounds(res, p, mins)

	exec := &sleeper{mins: mins, minute: c.minute}
	w := newWaits()
	r := &scheduler.Runner{Workers: ws, Exec: exec, Fair: c.fair, Observe: w.observe, ObserveReady: true}
	report := r.Run(ctx, p)
	if err := report.Err(); err != nil {
		return nil, err
	}
	res.Makespan = report.End.Sub(report.Start).Seconds() / c.minute.Seconds()
	res.Fair = c.fair
	res.RepoWaitP50, res.RepoWaitMax = w.summary(c.minute)
	res.Overhead = overhead(ctx, p, ws, c.fair)
	res.PeakRSSMiB = peakRSS()
	return res, nil
}

func load(dir string) ([]*manifest.Repo, error) {
	files, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var repos []*manifest.Repo
	for _, f := range files {
		name := filepath.Join(dir, f.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m, err := manifest.ParseString(name, string(data))
		if err != nil {
			return nil, err
		}
		repos = append(repos, &manifest.Repo{File: name, RepoName: f.Name(), Manifest: m})
	}
	return repos, nil
}

// synthesizeFroms gives every repository a level (few at the bottom, as
// base images are few) and every job of a repository above level 0 a FROM
// on a job of the same arch one level down, as in the real library: base
// OS images, language runtimes on them, applications on those.
func synthesizeFroms(p *scheduler.Plan, repos []*manifest.Repo, depth int, rng *rand.Rand) {
	level := map[string]int{}
	for _, r := range repos {
		level[r.RepoName] = min(depth-1, int(math.Floor(rng.ExpFloat64()*float64(depth)/2.5)))
	}
	byLevelArch := map[[2]any][]*scheduler.Job{}
	for _, j := range p.Jobs {
		k := [2]any{level[j.Origins[0].Repo], j.Arch}
		byLevelArch[k] = append(byLevelArch[k], j)
	}
	for _, j := range p.Jobs {
		l := level[j.Origins[0].Repo]
		for ; l > 0; l-- {
			if parents := byLevelArch[[2]any{l - 1, j.Arch}]; len(parents) > 0 {
				j.Froms = []string{parents[rng.IntN(len(parents))].Tags[0]}
				break
			}
		}
	}
}

// durations draws each job's duration in minutes.
func durations(p *scheduler.Plan, c config, rng *rand.Rand) map[*scheduler.Job]float64 {
	mins := make(map[*scheduler.Job]float64, len(p.Jobs))
	for _, j := range p.Jobs {
		mins[j] = min(c.maxMins, c.median*math.Exp(c.sigma*rng.NormFloat64()))
	}
	return mins
}

// farm is c.workers workers of c.slots slots for every arch of the plan.
func farm(p *scheduler.Plan, c config) []workers.Worker {
	var arches []string
	for _, j := range p.Jobs {
		if !slices.Contains(arches, j.Arch) {
			arches = append(arches, j.Arch)
		}
	}
	var ws []workers.Worker
	for _, a := range arches {
		for i := range c.workers {
			ws = append(ws, workers.Worker{Name: fmt.Sprintf("%s-%d", a, i), Arches: []string{a}, Concurrency: c.slots})
		}
	}
	return ws
}

// bounds computes the lower bound on the makespan.
func bounds(res *result, p *scheduler.Plan, mins map[*scheduler.Job]float64) {
	perArch := map[string]float64{}
	chain := map[*scheduler.Job]float64{}
	depth := map[*scheduler.Job]int{}
	var longest func(j *scheduler.Job) (float64, int)
	longest = func(j *scheduler.Job) (float64, int) {
		if d, ok := chain[j]; ok {
			return d, depth[j]
		}
		var best float64
		var deep int
		for _, e := range j.Parents {
			d, n := longest(e.Job)
			best, deep = max(best, d), max(deep, n)
		}
		chain[j], depth[j] = best+mins[j], deep+1
		return chain[j], depth[j]
	}
	for _, j := range p.Jobs {
		res.Edges += len(j.Parents)
		res.WorkMinutes += mins[j]
		perArch[j.Arch] += mins[j]
		cp, d := longest(j)
		res.CriticalPath, res.MaxDepth = max(res.CriticalPath, cp), max(res.MaxDepth, d)
	}
	for _, w := range perArch {
		res.ArchBound = max(res.ArchBound, w/float64(res.Capacity))
	}
	res.LowerBound = max(res.CriticalPath, res.ArchBound)
}

// sleeper is an executor that sleeps each job's duration.
type sleeper struct {
	mins   map[*scheduler.Job]float64
	minute time.Duration
}

func (s *sleeper) Build(ctx context.Context, _ workers.Worker, j *scheduler.Job, _ []scheduler.ParentResult) (scheduler.Result, error) {
	if s.minute > 0 {
		t := time.NewTimer(time.Duration(s.mins[j] * float64(s.minute)))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return scheduler.Result{}, ctx.Err()
		}
	}
	return scheduler.Result{Ref: j.ID, Digest: j.ID}, nil
}

// overhead runs the plan again with jobs that take no time: what is left
// is the scheduler's own cost.
func overhead(ctx context.Context, p *scheduler.Plan, ws []workers.Worker, fair bool) time.Duration {
	start := time.Now()
	(&scheduler.Runner{Workers: ws, Exec: &sleeper{}, Fair: fair}).Run(ctx, p)
	return time.Since(start) / time.Duration(len(p.Jobs))
}

func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

func (r *result) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "jobs\t%d (%d FROM edges, depth %d), %d arches\n", r.Jobs, r.Edges, r.MaxDepth, r.Arches)
	fmt.Fprintf(tw, "parse + expand\t%s\n", r.Expand.Round(time.Millisecond))
	fmt.Fprintf(tw, "capacity\t%d slots per arch\n", r.Capacity)
	fmt.Fprintf(tw, "work\t%.0f minutes\n", r.WorkMinutes)
	fmt.Fprintf(tw, "lower bound\t%.0f minutes = max(critical path %.0f, per-arch work / capacity %.0f)\n", r.LowerBound, r.CriticalPath, r.ArchBound)
	fmt.Fprintf(tw, "makespan\t%.0f minutes = %.3fx the lower bound (fair: %t)\n", r.Makespan, r.Makespan/r.LowerBound, r.Fair)
	fmt.Fprintf(tw, "first slot\ta repository's first job waits %.0f minutes (median), %.0f (longest)\n", r.RepoWaitP50, r.RepoWaitMax)
	fmt.Fprintf(tw, "scheduling overhead\t%s per job\n", r.Overhead)
	fmt.Fprintf(tw, "peak memory\t%.0f MiB (max RSS)\n", r.PeakRSSMiB)
	tw.Flush()
}
