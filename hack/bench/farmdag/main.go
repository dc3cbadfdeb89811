// Command farmdag measures brewkit's scheduling on the lab farm: a DAG of
// jobs whose RUN sleeps, built by brewkit's runner on every worker at once,
// then the same DAG (with a new nonce, so nothing is cached) built one job
// at a time through the same executor, the way bashbrew works.
//
//	hack/farm up
//	go run ./hack/bench/farmdag -levels 3 -width 4 -sleep 8s
//
// It prints the makespan against the critical path (the DAG's depth times
// the sleep, and the longest chain of measured job times) and the speedup
// over the sequential baseline.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

type config struct {
	farm        string
	levels      int
	width       int
	sleep       time.Duration
	concurrency int
	sequential  bool
	jsonOut     string
	progress    string
	baseline    string
	workerFetch bool
}

func main() {
	var c config
	flag.StringVar(&c.farm, "farm", ".farm/workers.yaml", "the farm's workers file (hack/farm up writes it)")
	flag.IntVar(&c.levels, "levels", 3, "levels of the DAG")
	flag.IntVar(&c.width, "width", 4, "jobs per level and architecture")
	flag.DurationVar(&c.sleep, "sleep", 8*time.Second, "how long each job's RUN sleeps")
	flag.IntVar(&c.concurrency, "concurrency", 0, "slots per worker (0: the width, so a level fits)")
	flag.BoolVar(&c.sequential, "sequential", true, "also build the DAG one job at a time, for the baseline")
	flag.StringVar(&c.baseline, "baseline", "buildctl", "how the baseline builds one job at a time: buildctl (one `buildctl build` each, as bashbrew would) or executor (brewkit's executor, one job at a time)")
	flag.BoolVar(&c.workerFetch, "worker-fetch", false, "let workers fetch the DAG's git repository with BuildKit's git source (build --worker-fetch) instead of sending every build context from brewkit's git cache (the default)")
	flag.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.StringVar(&c.progress, "progress", "", "show BuildKit's progress: plain, tty, rawjson (default: none)")
	flag.Parse()
	if c.concurrency == 0 {
		c.concurrency = c.width
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "farmdag:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if c.jsonOut != "" {
		data, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "farmdag:", err)
			os.Exit(1)
		}
	}
}
