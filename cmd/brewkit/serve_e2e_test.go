package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// serveFixture is a library of slow jobs (each RUN sleeps) in an
// official-images repository of its own, for brewkit serve processes.
type serveFixture struct {
	farm  farmtest.Farm
	git   *farmtest.Git
	ns    string // the registry namespace of this test's images
	state string // serve's --state
	oi    string // the official-images repository, a local path
}

// slowDockerfile runs a step for a few seconds on the worker.
const slowDockerfile = "FROM scratch\nCOPY busybox /bin/busybox\nCOPY nonce /nonce\nRUN [\"/bin/busybox\", \"sleep\", \"4\"]\n"

func newServeFixture(t *testing.T, repos ...string) *serveFixture {
	farm := farmtest.Require(t)
	f := &serveFixture{farm: farm, git: farmtest.GitDaemon(t), ns: fmt.Sprintf("serve-%d", time.Now().UnixNano()), state: t.TempDir()}
	files := map[string]string{}
	lib := map[string]string{}
	for _, arch := range []string{"amd64", "arm64v8"} {
		bb := string(farmtest.Busybox(t, arch))
		for _, r := range repos {
			files[r+"-"+arch+"/Dockerfile"] = slowDockerfile
			files[r+"-"+arch+"/busybox"] = bb
			files[r+"-"+arch+"/nonce"] = f.ns + r // a source of its own: identical ones are one job
		}
	}
	url, commit := f.git.NewRepo(t, "app", files)
	for _, r := range repos {
		lib["library/"+r] = fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\nGitCommit: %s\n\n"+
			"Tags: 1\nArchitectures: amd64, arm64v8\nDirectory: %s-amd64\narm64v8-Directory: %s-arm64v8\n", url, commit, r, r)
	}
	f.git.NewRepo(t, "official-images", lib)
	f.oi = filepath.Join(f.git.Dir, "official-images")
	return f
}

// start starts brewkit serve on a free port and waits for its API.
func (f *serveFixture) start(t *testing.T) (*process, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := startBrewkit(t, "serve", "--source", f.oi, "--workers", f.farm.File, "--push", f.farm.Registry+"/"+f.ns,
		"--staging", f.farm.Registry+"/"+f.ns+"/staging", "--state", f.state, "--listen", addr, "--poll", "1h",
		"--grace", "30s", "--log-level", "info", "--cache", filepath.Join(f.state, "cache"))
	api := "http://" + addr
	waitUntil(t, "serve's API answers", func() bool {
		resp, err := http.Get(api + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	}, p)
	return p, api
}

// status is GET /api/v1/status.
func status(t *testing.T, api string) map[string]any {
	t.Helper()
	resp, err := http.Get(api + "/api/v1/status")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var s map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// jobCount is how many jobs the status counts in state.
func jobCount(s map[string]any, state string) int {
	jobs, _ := s["jobs"].(map[string]any)
	n, _ := jobs[state].(float64)
	return int(n)
}

func waitUntil(t *testing.T, what string, cond func() bool, p *process) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up\nstderr:\n%s", what, p.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// manifestPuts counts the registry's manifest PUTs under the fixture's
// namespace, by URI, from the farm registry's access log.
func (f *serveFixture) manifestPuts(t *testing.T) map[string]int {
	t.Helper()
	file, err := os.Open(filepath.Join(filepath.Dir(f.farm.File), "registry", "registry.log")) // beside the workers file hack/farm writes
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	puts := map[string]int{}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	needle := `"PUT /v2/` + f.ns + "/"
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, needle); i >= 0 && strings.Contains(line, "/manifests/") {
			uri, _, _ := strings.Cut(line[i+len(`"PUT `):], " ")
			puts[uri]++
		}
	}
	return puts
}

// TestE2EServeKilled kills serve (SIGKILL) while it builds, starts it
// again on the same state, and checks that every tag is published, and
// that nothing was pushed twice: no manifest PUT repeats.
func TestE2EServeKilled(t *testing.T) {
	f := newServeFixture(t, "slow1", "slow2", "slow3")
	p, api := f.start(t)
	waitUntil(t, "a job running", func() bool { return jobCount(status(t, api), "running") > 0 }, p)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.wait()
	p2, api2 := f.start(t)
	waitUntil(t, "every job built and every tag published", func() bool {
		s := status(t, api2)
		pub, _ := s["published"].(map[string]any)
		return jobCount(s, "succeeded") == 6 && pub != nil && pub["written"].(float64)+pub["up to date"].(float64) == 3
	}, p2)
	for uri, n := range f.manifestPuts(t) {
		if n != 1 {
			t.Errorf("PUT %s %d times, want once", uri, n)
		}
	}
	if len(f.manifestPuts(t)) == 0 {
		t.Error("no manifest PUT in the registry's log: the count proves nothing")
	}
}

// TestE2EServeDrains stops serve with SIGTERM while it builds: it exits
// once the running solves finish (within --grace), and a new serve on the
// same state publishes everything.
func TestE2EServeDrains(t *testing.T) {
	f := newServeFixture(t, "slow1", "slow2")
	p, api := f.start(t)
	waitUntil(t, "a job running", func() bool { return jobCount(status(t, api), "running") > 0 }, p)
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\nstderr:\n%s", err, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "draining") {
		t.Errorf("serve did not say it drained:\n%s", p.stderr.String())
	}
	t.Logf("serve drained in %s", time.Since(start).Round(time.Millisecond))
	p2, api2 := f.start(t)
	waitUntil(t, "every job built after the restart", func() bool { return jobCount(status(t, api2), "succeeded") == 4 }, p2)
}
