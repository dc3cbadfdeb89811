package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/localdaemon"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// fixture is a daemon on the farm following an official-images repository
// of its own, whose entries build from an app repository on the git
// daemon.
type fixture struct {
	t      *testing.T
	farm   farmtest.Farm
	git    *farmtest.Git
	oi     string // the official-images repository (its name under git.Dir)
	to     string // where the indexes go
	d      *serve.Daemon
	st     *store.Store
	cancel context.CancelFunc
	done   chan error
}

func newFixture(t *testing.T) *fixture {
	farm := farmtest.Require(t)
	return newFixtureOn(t, farm, farm.Workers)
}

// newFixtureOn is a fixture whose daemon builds on ws.
func newFixtureOn(t *testing.T, farm farmtest.Farm, ws []workers.Worker) *fixture {
	f := &fixture{t: t, farm: farm, git: farmtest.GitDaemon(t), oi: "official-images"}
	nonce := fmt.Sprint(time.Now().UnixNano())
	f.to = farm.Registry + "/serve-" + nonce
	f.git.NewRepo(t, f.oi, map[string]string{"README": "test\n"})
	target, err := engine.Farm(ws, farm.Registry, farm.Registry+"/serve-"+nonce+"/staging")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources, WaitForWorkers: true, Fair: true,
		Heartbeat: time.Second, Recheck: time.Hour}) // as serve's default --recheck
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	state := t.TempDir()
	if f.st, err = store.Open(state); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	logs, err := store.NewLogs(filepath.Join(state, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	f.d, err = serve.New(serve.Options{Source: filepath.Join(f.git.Dir, f.oi), Poll: time.Hour, Sources: sources, Engine: e,
		Store: f.st, Logs: logs, Publish: engine.PublishOptions{To: f.to}, Schedule: store.Schedule{0, time.Hour},
		Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.done = cancel, make(chan error, 1)
	go func() { f.done <- f.d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-f.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return f
}

// app commits files into the app repository and returns its URL and
// the commit.
func (f *fixture) app(files map[string]string) (string, string) {
	name := "app"
	if _, err := os.Stat(filepath.Join(f.git.Dir, name)); err != nil {
		return f.git.NewRepo(f.t, name, files)
	}
	return f.git.URL(name), f.git.Commit(f.t, name, files)
}

// entry is a library file of one entry building dir of the app at commit.
func entry(url, commit, tag, dir string) string {
	return fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: %s\nArchitectures: amd64, arm64v8\nGitCommit: %s\nDirectory: %s\n",
		url, tag, commit, dir)
}

// library commits library files into the official-images repository and
// has the daemon sync.
func (f *fixture) library(files map[string]string) {
	lib := map[string]string{}
	for name, text := range files {
		lib["library/"+name] = text
	}
	f.git.Commit(f.t, f.oi, lib)
	f.d.Sync()
}

// waitFor waits until every job is in a final state and cond holds.
func (f *fixture) waitFor(what string, cond func(map[string]serve.Job) bool) map[string]serve.Job {
	f.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		jobs := f.jobs()
		if cond(jobs) {
			return jobs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waiting for %s: jobs %+v", what, jobs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// jobs are the daemon's jobs by "tag arch", as the API gives them.
func (f *fixture) jobs() map[string]serve.Job {
	sjobs, err := f.st.Jobs(store.JobFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]serve.Job{}
	for _, j := range sjobs {
		out[j.Tags[0]+" "+j.Arch] = serve.Job{ID: j.ID, State: j.State, BuildID: j.BuildID, Digest: j.Digest, Error: j.Error, Commit: j.Commit}
	}
	return out
}

// published reports whether ref is in the registry.
func (f *fixture) published(tag string) bool {
	ref, err := name.ParseReference(f.to + "/" + tag)
	if err != nil {
		f.t.Fatal(err)
	}
	_, err = remote.Head(ref, remote.WithContext(f.t.Context()))
	return err == nil
}

func all(state string, keys ...string) func(map[string]serve.Job) bool {
	return func(jobs map[string]serve.Job) bool {
		for _, k := range keys {
			if jobs[k].State != state {
				return false
			}
		}
		return true
	}
}

// TestE2EServe follows an official-images repository through commits: a
// first library is built and published; a commit adding a tag is built
// and published without a restart; a commit changing a base rebuilds it
// and its child only; a build that fails backs off without holding up a
// healthy job, and builds once its fixed source is committed.
func TestE2EServe(t *testing.T) {
	f := newFixture(t)
	url, c1 := f.app(map[string]string{
		"base/Dockerfile": "FROM scratch\nCOPY nonce /base\n", "base/nonce": fmt.Sprint(time.Now().UnixNano()),
		"child/Dockerfile": "FROM base:1\nCOPY nonce /child\n", "child/nonce": "1",
		"other/Dockerfile": "FROM scratch\nCOPY nonce /other\n", "other/nonce": fmt.Sprint(time.Now().UnixNano()),
		"bad/Dockerfile": "FROM scratch\nCOPY missing /bad\n",
	})
	f.library(map[string]string{"base": entry(url, c1, "1", "base"), "child": entry(url, c1, "1", "child")})
	first := f.waitFor("base and child built", all(serve.StateSucceeded, "base:1 amd64", "base:1 arm64v8", "child:1 amd64", "child:1 arm64v8"))
	f.waitPublished("base:1", "child:1")
	f.checkTimeline("base:1", "child:1")

	// A new tag: built and published, the others untouched.
	f.library(map[string]string{"other": entry(url, c1, "1", "other")})
	second := f.waitFor("other built", all(serve.StateSucceeded, "other:1 amd64", "other:1 arm64v8", "base:1 amd64", "child:1 amd64"))
	f.waitPublished("other:1")
	for _, k := range []string{"base:1 amd64", "child:1 arm64v8"} {
		if second[k].BuildID != first[k].BuildID || second[k].Digest != first[k].Digest {
			t.Errorf("%s changed after a commit adding another tag: %+v, was %+v", k, second[k], first[k])
		}
	}

	// A changed base: it and its child are built again, other is not.
	_, c2 := f.app(map[string]string{"base/nonce": fmt.Sprint(time.Now().UnixNano())})
	f.library(map[string]string{"base": entry(url, c2, "1", "base")})
	third := f.waitFor("base rebuilt", func(jobs map[string]serve.Job) bool {
		return all(serve.StateSucceeded, "base:1 amd64", "child:1 amd64", "other:1 amd64")(jobs) && jobs["base:1 amd64"].Commit != second["base:1 amd64"].Commit
	})
	for k, j := range third {
		changed := j.BuildID != second[k].BuildID
		if want := strings.HasPrefix(k, "base:") || strings.HasPrefix(k, "child:"); changed != want {
			t.Errorf("%s: build id changed %v (%s, was %s), want %v (a changed base rebuilds its descendants only)", k, changed, j.BuildID, second[k].BuildID, want)
		}
	}

	// A failing build backs off; a healthy one beside it is built.
	_, c3 := f.app(map[string]string{"other/nonce": fmt.Sprint(time.Now().UnixNano())})
	f.library(map[string]string{"bad": entry(url, c3, "1", "bad"), "other": entry(url, c3, "1", "other")})
	backoff := f.waitFor("bad in backoff, other built", func(jobs map[string]serve.Job) bool {
		return all(serve.StateBackoff, "bad:1 amd64", "bad:1 arm64v8")(jobs) && all(serve.StateSucceeded, "other:1 amd64", "other:1 arm64v8")(jobs)
	})
	if !strings.Contains(backoff["bad:1 amd64"].Error, "missing") {
		t.Errorf("bad:1 amd64: error %q, want the failed COPY", backoff["bad:1 amd64"].Error)
	}
	if f.published("bad:1") {
		t.Error("bad:1 was published though it never built")
	}
	f.waitHeld("bad:1", "amd64: bad:1 (amd64) failed")
	_, c4 := f.app(map[string]string{"bad/missing": "now here\n"})
	f.library(map[string]string{"bad": entry(url, c4, "1", "bad")})
	f.waitFor("bad fixed", all(serve.StateSucceeded, "bad:1 amd64", "bad:1 arm64v8"))
	f.waitPublished("bad:1")
}

// waitHeld waits for the status to say tag is held back, missing an
// image as want says.
func (f *fixture) waitHeld(tag, want string) {
	f.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s, err := f.d.Status()
		if err != nil {
			f.t.Fatal(err)
		}
		for _, h := range s.HeldBack {
			if h.Ref == f.to+"/"+tag && slices.Contains(h.Missing, want) {
				return
			}
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%s is not held back with %q: %+v", tag, want, s.HeldBack)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPublished waits for the tags to be in the registry, and checks each
// with go-containerregistry's validate (crane validate).
func (f *fixture) waitPublished(tags ...string) {
	f.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for _, tag := range tags {
		for !f.published(tag) {
			if time.Now().After(deadline) {
				st, _ := f.d.Status()
				f.t.Fatalf("%s was not published: status %+v", tag, st)
			}
			time.Sleep(100 * time.Millisecond)
		}
		farmtest.CheckValid(f.t, f.to+"/"+tag)
	}
}

// testLog writes a daemon's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestE2EServeWorkerKilled kills the only arm64v8 worker while it builds:
// its job waits (the worker is down), and finishes once a new buildkitd
// answers at the worker's address.
func TestE2EServeWorkerKilled(t *testing.T) {
	farm := farmtest.Require(t)
	sockDir := t.TempDir()
	sock := filepath.Join(sockDir, "buildkitd.sock") // a link to the daemon of the moment
	start := func() *localdaemon.Daemon {
		// Not t.TempDir: a killed buildkitd's containers outlive it for a
		// moment, and with them its overlay mounts.
		state, err := os.MkdirTemp("", "brewkit-test-worker-")
		if err != nil {
			t.Fatal(err)
		}
		d, err := localdaemon.Start(t.Context(), farm.Bin("buildkitd"), localdaemon.WithArch("arm64v8"),
			localdaemon.WithStateDir(state), localdaemon.WithStartTimeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Stop(); farmtest.RemoveState(t, state) })
		os.Remove(sock)
		if err := os.Symlink(strings.TrimPrefix(d.Worker.Address, "unix://"), sock); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := start()
	ws := []workers.Worker{farm.Worker("amd64"), {Name: "arm", Address: "unix://" + sock, Arches: []string{"arm64v8"}}}
	f := newFixtureOn(t, farm, ws)
	files := map[string]string{}
	for _, arch := range []string{"amd64", "arm64v8"} {
		files["slow-"+arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY nonce /nonce\nRUN [\"/bin/busybox\", \"sleep\", \"3\"]\n"
		files["slow-"+arch+"/busybox"] = string(farmtest.Busybox(t, arch))
		files["slow-"+arch+"/nonce"] = f.to
	}
	url, commit := f.app(files)
	f.library(map[string]string{"slow": fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\nGitCommit: %s\n\n"+
		"Tags: 1\nArchitectures: amd64, arm64v8\nDirectory: slow-amd64\narm64v8-Directory: slow-arm64v8\n", url, commit)})
	f.waitFor("the arm64v8 job running", all(serve.StateRunning, "slow:1 arm64v8"))
	if err := first.Kill(); err != nil {
		t.Fatal(err)
	}
	f.waitFor("the arm64v8 job waiting for its worker", all(serve.StateQueued, "slow:1 arm64v8"))
	if s, err := f.d.Status(); err != nil || workerUp(s, "arm") {
		t.Fatalf("worker arm after its buildkitd was killed: %+v, %v; want it down", s.Workers, err)
	}
	start()
	f.waitFor("the arm64v8 job built on the new buildkitd", all(serve.StateSucceeded, "slow:1 arm64v8", "slow:1 amd64"))
	f.waitPublished("slow:1")
}

func workerUp(s serve.Status, name string) bool {
	for _, w := range s.Workers {
		if w.Name == name {
			return w.Up
		}
	}
	return false
}

// TestE2EServeCancel cancels a running job through the API's method: it
// ends cancelled, is not backed off, and a retry builds it.
func TestE2EServeCancel(t *testing.T) {
	f := newFixture(t)
	files := map[string]string{}
	for _, arch := range []string{"amd64", "arm64v8"} {
		files["slow-"+arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY nonce /nonce\nRUN [\"/bin/busybox\", \"sleep\", \"30\"]\n"
		files["slow-"+arch+"/busybox"] = string(farmtest.Busybox(t, arch))
		files["slow-"+arch+"/nonce"] = f.to
	}
	url, commit := f.app(files)
	f.library(map[string]string{"slow": fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\nGitCommit: %s\n\n"+
		"Tags: 1\nArchitectures: amd64\nDirectory: slow-amd64\n", url, commit)})
	running := f.waitFor("the job running", all(serve.StateRunning, "slow:1 amd64"))
	id := running["slow:1 amd64"].ID
	if err := f.d.Cancel(id); err != nil {
		t.Fatal(err)
	}
	cancelled := f.waitFor("the job cancelled", all(serve.StateCancelled, "slow:1 amd64"))
	if f.published("slow:1") || cancelled["slow:1 amd64"].Error == "" {
		t.Errorf("cancelled job: %+v, published %v", cancelled["slow:1 amd64"], f.published("slow:1"))
	}
	if err := f.d.Cancel(id); !errors.Is(err, serve.ErrJobState) {
		t.Errorf("cancelling a job that is not running: %v, want ErrJobState", err)
	}
	if err := f.d.Retry(id); err != nil {
		t.Fatal(err)
	}
	f.waitFor("the job running again", all(serve.StateRunning, "slow:1 amd64"))
}

// checkTimeline checks the last run's timeline: its critical path ends
// with the chain of tags (each on some arch), and its trace is JSON with
// a span per job.
func (f *fixture) checkTimeline(chain ...string) {
	f.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for f.d.Timeline() == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	srv := httptest.NewServer(f.d.Handler())
	defer srv.Close()
	var tl struct {
		Critical []struct{ Job string }   `json:"critical"`
		Phases   []struct{ Phase string } `json:"phases"`
	}
	getJSON(f.t, srv.URL+"/api/v1/runs/last/timeline", &tl)
	if len(tl.Critical) < len(chain) || len(tl.Phases) == 0 {
		f.t.Fatalf("timeline: critical path %+v, phases %+v; want a chain of %v and phases", tl.Critical, tl.Phases, chain)
	}
	for i, tag := range chain {
		if got := tl.Critical[len(tl.Critical)-len(chain)+i].Job; !strings.HasPrefix(got, tag+" (") {
			f.t.Errorf("critical path %+v: want it to end with %v", tl.Critical, chain)
		}
	}
	var tr struct {
		TraceEvents []struct{ Cat, Ph string } `json:"traceEvents"`
	}
	getJSON(f.t, srv.URL+"/api/v1/runs/last/trace", &tr)
	jobs := 0
	for _, e := range tr.TraceEvents {
		if e.Ph == "X" && e.Cat == "job" {
			jobs++
		}
	}
	if jobs < 4 {
		f.t.Errorf("the trace has %d job spans, want at least the 4 jobs", jobs)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
