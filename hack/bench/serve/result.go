package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// result is a whole benchmark run.
type result struct {
	Arch    string        `json:"arch"`
	CPUs    int           `json:"cpus"`
	Start   time.Time     `json:"start"`
	Delay   time.Duration `json:"delay"`   // of every registry request (-delay)
	Recheck time.Duration `json:"recheck"` // serve --recheck (-recheck)
	Stage   stageResult   `json:"stage"`
	Syncs   []syncResult  `json:"syncs"`
	Split   *split        `json:"split,omitempty"`
}

func (r *result) print(w io.Writer, timed int) {
	fmt.Fprintf(w, "brewkit serve at scale, %s, %d CPUs, registry requests delayed %s, --recheck %s\n\n", r.Start.UTC().Format(time.DateOnly), r.CPUs, r.Delay, r.Recheck)
	s := r.Stage
	fmt.Fprintf(w, "first sync: %d jobs, %s in %d run(s) (%d after a commit to plan failed jobs again); jobs %v; indexes written %d\n",
		s.Jobs, s.Took.Round(time.Second), s.Runs, s.Replans, s.Statuses, s.Written)
	if sp := r.Split; sp != nil && len(sp.Plan) > 0 {
		defer func() {
			fmt.Fprintf(w, "alone: poll + read of a new commit median %s; plan median %s\n",
				median(sp.PollRead).Round(time.Millisecond), median(sp.Plan).Round(time.Millisecond))
			fmt.Fprintf(w, "the plan: %d jobs %v, %d FROM edges, %d FROMs outside it, %d jobs that cannot run, depth %d\n",
				sp.Jobs, sp.Arches, sp.Edges, sp.External, sp.Errors, sp.Depth)
		}()
	}
	if len(r.Syncs) == 0 {
		return
	}
	n := len(r.Syncs)
	last := r.Syncs[n-1]
	fmt.Fprintf(w, "syncs of a commit that changes nothing: %d, each %d jobs %v, %d indexes written, %d blocked\n",
		n, last.Jobs, last.Statuses, last.Written, last.Blocked)
	row := func(what string, get func(syncResult) time.Duration, syncs []syncResult) {
		med, mx := stats(syncs, get)
		fmt.Fprintf(w, "  %-34s median %8s  max %8s\n", what, med.Round(time.Millisecond), mx.Round(time.Millisecond))
	}
	for _, part := range []struct {
		name   string
		syncs  []syncResult
		phases bool
	}{{fmt.Sprintf("first %d", min(timed, n)), r.Syncs[:min(timed, n)], false}, {fmt.Sprintf("all %d", n), r.Syncs, true}} {
		row("sync, commit to run end ("+part.name+")", func(s syncResult) time.Duration { return s.Total }, part.syncs)
		if !part.phases {
			continue
		}
		row("  before the sync starts", func(s syncResult) time.Duration { return s.Wait }, part.syncs)
		row("  poll + read + plan (synced took)", func(s syncResult) time.Duration { return s.SyncTook }, part.syncs)
		row("  run: registry lookups", func(s syncResult) time.Duration { return s.Lookups }, part.syncs)
		row("  run: records + publish", func(s syncResult) time.Duration { return s.Publish }, part.syncs)
		row("  run: store, logs (to the end)", func(s syncResult) time.Duration { return s.End }, part.syncs)
	}
	cpu := func(get func(cpuTimes) float64) float64 {
		vals := make([]float64, n)
		for i, s := range r.Syncs {
			vals[i] = get(s.CPU)
		}
		slices.Sort(vals)
		return vals[n/2]
	}
	fmt.Fprintf(w, "  %-34s this process %.1f s, registry %.1f s, buildkitds %.1f s; machine busy %.1f of %.1f CPU-s\n", "CPU during a sync (medians)",
		cpu(func(c cpuTimes) float64 { return c.Self }), cpu(func(c cpuTimes) float64 { return c.Registry }),
		cpu(func(c cpuTimes) float64 { return c.Workers }), cpu(func(c cpuTimes) float64 { return c.Busy }), cpu(func(c cpuTimes) float64 { return c.Total }))
	heap := func(s syncResult) uint64 { return s.HeapInuse }
	rss := func(s syncResult) uint64 { return s.RSS }
	for _, m := range []struct {
		name string
		get  func(syncResult) uint64
	}{{"heap in use after GC", heap}, {"RSS", rss}} {
		vals := make([]uint64, n)
		for i, s := range r.Syncs {
			vals[i] = m.get(s)
		}
		sorted := slices.Clone(vals)
		slices.Sort(sorted)
		fmt.Fprintf(w, "  %-34s first %6.1f MiB  median %6.1f  last %6.1f  max %6.1f\n", m.name,
			mib(vals[0]), mib(sorted[n/2]), mib(vals[n-1]), mib(sorted[n-1]))
	}
	fmt.Fprintf(w, "  %-34s first %d  last %d\n", "goroutines", r.Syncs[0].Goroutine, last.Goroutine)
}

func stats(syncs []syncResult, get func(syncResult) time.Duration) (med, mx time.Duration) {
	ds := make([]time.Duration, len(syncs))
	for i, s := range syncs {
		ds[i] = get(s)
	}
	return median(ds), slices.Max(ds)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
