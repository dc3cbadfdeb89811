// Command sched runs brewkit's scheduler at the real library's scale: the
// official-images library's jobs, a synthetic FROM graph (seeded) and job
// durations drawn from a log-normal distribution, on N workers per
// architecture, with a fake executor that sleeps each job's duration
// (scaled: one simulated minute is -minute of real time). It reports the
// makespan against the lower bound max(critical path, per-arch work /
// per-arch capacity), how long repositories wait for their first slot,
// the scheduling overhead per job, and peak memory. With -fair the
// runner shares slots between repositories (scheduler.Runner.Fair).
//
//	go run ./hack/bench/sched -library ../shared/conformance/official-images/library
//	go run ./hack/bench/sched -library ../shared/conformance/official-images/library -fair
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

type config struct {
	library string
	seed    int64
	workers int           // per arch
	slots   int           // per worker
	minute  time.Duration // real time per simulated minute
	median  float64       // minutes
	sigma   float64
	maxMins float64
	depth   int
	fair    bool
	jsonOut string
}

func main() {
	var c config
	flag.StringVar(&c.library, "library", "../shared/conformance/official-images/library", "library directory")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the FROM graph and the durations")
	flag.IntVar(&c.workers, "workers", 4, "workers per architecture")
	flag.IntVar(&c.slots, "slots", 1, "slots per worker")
	flag.DurationVar(&c.minute, "minute", 5*time.Millisecond, "real time of one simulated minute (below ~5ms, timer granularity shows in the makespan)")
	flag.Float64Var(&c.median, "median", 4, "median job duration, minutes (log-normal)")
	flag.Float64Var(&c.sigma, "sigma", 1, "sigma of the log-normal duration")
	flag.Float64Var(&c.maxMins, "max", 120, "longest job, minutes")
	flag.IntVar(&c.depth, "depth", 5, "levels of the synthetic FROM graph")
	flag.BoolVar(&c.fair, "fair", false, "share slots between repositories (scheduler.Runner.Fair)")
	flag.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.Parse()
	res, err := run(context.Background(), c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sched:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if c.jsonOut != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "sched:", err)
			os.Exit(1)
		}
	}
}
