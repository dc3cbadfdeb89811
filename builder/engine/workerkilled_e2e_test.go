package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// sleepers is how many children of base the killed-worker test builds,
// each with a RUN that sleeps: more than one worker's slots.
const sleepers = 4

// TestE2EWorkerOfTwoKilled builds on two amd64 workers, a buildkitd of
// the test's own listed first and the farm's, a base and sleepers
// children whose RUN sleeps; it kills the first worker with SIGKILL while
// its RUNs sleep. Every job is built: those that were on the killed
// worker are tried again on the other. The killed worker is down (not
// unusable), and every tag published from the build is complete and
// valid.
func TestE2EWorkerOfTwoKilled(t *testing.T) {
	farm := farmtest.Require(t)
	doomed := farm.StartBuildkitd(t, "amd64")
	survivor := farm.Worker("amd64")
	doomedW := doomed.Worker
	doomedW.Concurrency, survivor.Concurrency = 2, 2
	e, lib := newKilledEngine(t, farm, []workers.Worker{doomedW, survivor})
	names := append([]string{"base"}, sleeperNames()...)
	p := plan(t, e, lib, names...)

	w := newWatch()
	done := make(chan *engine.Build, 1)
	go func() {
		b, err := e.Build(t.Context(), p, engine.BuildOptions{Observe: w.observe})
		if err != nil {
			t.Error(err)
		}
		done <- b
	}()
	onDoomed := killMidRun(t, doomed, w, done)
	b := <-done
	if b == nil {
		t.FailNow()
	}

	for _, o := range b.Report.Outcomes {
		if o.Status != scheduler.Built {
			t.Errorf("%s: %s after %d attempts on %s: %v; want built", o.Job, o.Status, o.Attempts, o.Worker, o.Err)
		}
		if slices.Contains(onDoomed, o.Job) && (o.Worker != survivor.Name || o.Attempts < 2) {
			t.Errorf("%s, on %s when it was killed: last attempt %d on %s; want a later one on %s", o.Job, doomedW.Name, o.Attempts, o.Worker, survivor.Name)
		}
	}
	if retried := w.retriedOn(doomedW.Name); len(retried) < len(onDoomed) {
		t.Errorf("retried after failing on %s: %v; want every job that ran there when it was killed, %v", doomedW.Name, retried, onDoomed)
	}
	checkKilledDown(t, e.Health(), doomedW.Name, survivor.Name)

	to := farm.Registry + "/engine-e2e-killed-" + fmt.Sprint(time.Now().UnixNano())
	sum, err := e.Publish(t.Context(), b.Report, engine.PublishOptions{To: to})
	if err != nil {
		t.Fatal(err)
	}
	if n := sum.Count(publish.Written); n != len(names) {
		t.Errorf("published %d indexes, want %d (%v)", n, len(names), names)
	}
	for _, name := range names {
		farmtest.CheckValid(t, to+"/"+name+":1")
	}
}

// killMidRun waits until a child of base runs on d and d runs a sleep
// (a RUN is in the middle of its solve there), then kills d, and returns
// the jobs that were running on it. It fails t if the build ends first
// (done is sent a value, which killMidRun sends again).
func killMidRun(t *testing.T, d *farmtest.Buildkitd, w *watch, done chan *engine.Build) []*scheduler.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for {
		running := w.runningOn(d.Worker.Name)
		if len(running) > 0 && sleeping(t, d.Pid) {
			start := time.Now()
			d.Kill(t)
			t.Logf("killed %s (pid %d) in %s while it ran %v", d.Worker.Name, d.Pid, time.Since(start).Round(time.Millisecond), running)
			return running
		}
		select {
		case b := <-done:
			done <- b
			t.Fatalf("the build ended before a RUN slept on %s", d.Worker.Name)
		case <-ctx.Done():
			t.Fatalf("no RUN slept on %s: %v", d.Worker.Name, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sleeping reports whether a sleep runs under pid.
func sleeping(t *testing.T, pid int) bool {
	return slices.ContainsFunc(farmtest.Descendants(t, pid), func(p farmtest.Process) bool { return p.Comm == "sleep" })
}

// checkKilledDown checks the pool's word on the workers after the build:
// killed down (not out of service) with the reason, survivor up.
func checkKilledDown(t *testing.T, hs []scheduler.WorkerHealth, killed, survivor string) {
	t.Helper()
	for _, h := range hs {
		switch h.Name {
		case killed:
			if h.Up || h.Unusable || h.Err == nil || h.Failures < 1 {
				t.Errorf("%s after it was killed: %+v; want down with a reason, not unusable", h.Name, h)
			}
			t.Logf("%s: down, %d failures in a row: %v", h.Name, h.Failures, h.Err)
		case survivor:
			if !h.Up {
				t.Errorf("%s: %+v; want up", h.Name, h)
			}
		}
	}
}

// newKilledEngine serves a git repository holding base (busybox, with
// sleep among its links, and a nonce no earlier run staged) and sleepers
// children of it, each sleeping 5 s in a RUN; it writes a library file for
// each, amd64 only, and returns an Engine on ws and the library.
func newKilledEngine(t *testing.T, farm farmtest.Farm, ws []workers.Worker) (*engine.Engine, string) {
	t.Helper()
	files := map[string]string{
		"base/Dockerfile": "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY nonce /nonce\n",
		"base/busybox":    string(farmtest.Busybox(t, "amd64")),
		"base/nonce":      fmt.Sprint(time.Now().UnixNano()),
	}
	for i, name := range sleeperNames() {
		files[name+"/Dockerfile"] = fmt.Sprintf("FROM base:1\nRUN [\"/bin/sleep\", \"5\"]\nRUN echo %d > /sleeper\n", i)
	}
	url, commit := farmtest.GitDaemon(t).NewRepo(t, "killed", files)
	lib := t.TempDir()
	for _, name := range append([]string{"base"}, sleeperNames()...) {
		text := fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: 1\nArchitectures: amd64\nGitCommit: %s\nDirectory: %s\n", url, commit, name)
		if err := os.WriteFile(filepath.Join(lib, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	target, err := engine.Farm(ws, farm.Registry, farm.Registry+"/engine-e2e/staging")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, lib
}

func sleeperNames() []string {
	var names []string
	for i := range sleepers {
		names = append(names, fmt.Sprintf("sleeper%d", i))
	}
	return names
}

// watch follows a build's events: where each job runs now, and which
// jobs were tried again after failing on a worker.
type watch struct {
	mu      sync.Mutex
	on      map[*scheduler.Job]string   // running jobs and their workers
	retried map[string][]*scheduler.Job // by the worker they failed on
}

func newWatch() *watch {
	return &watch{on: map[*scheduler.Job]string{}, retried: map[string][]*scheduler.Job{}}
}

func (w *watch) observe(ev scheduler.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o := ev.Outcome
	switch ev.Kind {
	case scheduler.JobStarted:
		w.on[o.Job] = o.Worker
	case scheduler.JobRetry:
		delete(w.on, o.Job)
		w.retried[o.Worker] = append(w.retried[o.Worker], o.Job)
	case scheduler.JobEnded:
		delete(w.on, o.Job)
	}
}

// runningOn returns the jobs with a parent (not base) running on worker.
func (w *watch) runningOn(worker string) []*scheduler.Job {
	w.mu.Lock()
	defer w.mu.Unlock()
	var jobs []*scheduler.Job
	for j, on := range w.on {
		if on == worker && len(j.Parents) > 0 {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// retriedOn returns the jobs tried again after failing on worker.
func (w *watch) retriedOn(worker string) []*scheduler.Job {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.retried[worker])
}
