// Command serve measures brewkit serve at the official library's scale:
// the daemon (package builder/serve) runs in this process over the lab
// farm, as cmd/brewkit/serve.go sets it up, and follows the synthetic
// official-images repository hack/bench/synthlib makes. It syncs the
// repository until every job is up to date (on a registry without the
// images, that first run builds them all: the staging), then makes -syncs
// commits that change nothing in library/ (a README line each) and, for
// each, measures the sync from the commit to the end of its run (every
// job found up to date, the publish done), with the heap in use after a
// GC and the process's RSS after it.
//
//	hack/farm up
//	go run ./hack/bench/synthlib -out /tmp/synth
//	go run ./hack/bench/serve -synth /tmp/synth -syncs 100 -json /tmp/serve.json
//
// Where a sync's time goes comes from the daemon's own log (info level,
// written to -log): "synced ... took" is the poll, the read of library/
// and the plan; from it to the last "job ended" is the run's registry
// lookups; to "published" the rest of the run and the publish; to the end
// of the run the store's bookkeeping. -split then times the watcher's
// poll and read, and the engine's plan, alone. -delay puts the registry a
// round trip away (a proxy in this process delays every request), as a
// production registry is.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"
)

type config struct {
	synth        string
	farm         string
	push         string
	staging      string
	cache        string
	state        string
	logFile      string
	syncs        int
	timed        int
	split        int
	stageTimeout time.Duration
	jsonOut      string
	cpuProfile   string
	memProfile   string
	registryPid  int
	delay        time.Duration
	recheck      time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.synth, "synth", "", "the directory hack/bench/synthlib made (its official-images/ gets the commits)")
	flag.StringVar(&c.farm, "farm", ".farm/workers.yaml", "the farm's workers file (hack/farm up writes it)")
	flag.StringVar(&c.push, "push", "127.0.0.1:5000/synth/library", "where the indexes go (serve --push)")
	flag.StringVar(&c.staging, "staging", "127.0.0.1:5000/synth/staging", "the staging prefix (serve --staging)")
	flag.StringVar(&c.cache, "cache", "", "the git cache and build locks (serve --cache); default SYNTH/cache, kept between runs")
	flag.StringVar(&c.state, "state", "", "the daemon's state (serve --state); default a new temporary directory")
	flag.StringVar(&c.logFile, "log", "", "the daemon's log, info level; default SYNTH/serve-bench.log")
	flag.IntVar(&c.syncs, "syncs", 20, "commits that change nothing to sync and measure")
	flag.IntVar(&c.timed, "timed", 20, "also report the sync times of the first this many")
	flag.IntVar(&c.split, "split", 5, "then time a poll and read, and a plan, alone, this many times each")
	flag.DurationVar(&c.stageTimeout, "stage-timeout", 6*time.Hour, "how long the first sync (the staging, on an empty registry) may take")
	flag.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured syncs to this file")
	flag.StringVar(&c.memProfile, "memprofile", "", "write a heap profile after the measured syncs to this file")
	flag.IntVar(&c.registryPid, "registry-pid", 0, "the registry's pid, for its CPU time (default: the one hack/farm up recorded)")
	flag.DurationVar(&c.recheck, "recheck", time.Hour, "serve --recheck: how long the registry's answers are trusted; 0 asks about every job and tag at every sync")
	flag.DurationVar(&c.delay, "delay", 0, "reach the farm's registry through a proxy that delays each request this long (a registry that far away)")
	flag.Parse()
	if c.synth == "" {
		fmt.Fprintln(os.Stderr, "serve: -synth is required (go run ./hack/bench/synthlib -out DIR first)")
		os.Exit(2)
	}
	var err error
	if c.synth, err = filepath.Abs(c.synth); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	if c.cache == "" {
		c.cache = filepath.Join(c.synth, "cache")
	}
	if c.logFile == "" {
		c.logFile = filepath.Join(c.synth, "serve-bench.log")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, c)
	if res != nil {
		res.print(os.Stdout, c.timed)
		if c.jsonOut != "" {
			data, _ := json.MarshalIndent(res, "", "  ")
			if werr := os.WriteFile(c.jsonOut, append(data, '\n'), 0o644); werr != nil {
				fmt.Fprintln(os.Stderr, "serve:", werr)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
