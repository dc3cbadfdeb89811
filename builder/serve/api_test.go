package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// newTestDaemon is a daemon over a store of its own, not started, with
// an engine without workers.
func newTestDaemon(t *testing.T) *Daemon {
	t.Helper()
	return newTestDaemonOn(t, engine.Options{})
}

// newTestDaemonOn is newTestDaemon with an engine of opts and a git cache
// of its own.
func newTestDaemonOn(t *testing.T, opts engine.Options) *Daemon {
	t.Helper()
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opts.Sources = sources
	e, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs, err := store.NewLogs(filepath.Join(dir, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Source: "/nowhere", Sources: sources, Engine: e, Store: st, Logs: logs,
		Publish: engine.PublishOptions{To: "127.0.0.1:5000/library"}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAPI checks the API's answers over a store with a job in each
// interesting state.
func TestAPI(t *testing.T) {
	d := newTestDaemon(t)
	logFile := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(logFile, []byte("#1 [amd64 foo:1] COPY nonce /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	jobs := []store.Job{
		{ID: "aaa/amd64", Repo: "foo", Tags: []string{"foo:1"}, Arch: "amd64", State: StateSucceeded, BuildID: "b1", Digest: "sha256:1", Log: logFile},
		{ID: "bbb/amd64", Repo: "bar", Tags: []string{"bar:1"}, Arch: "amd64", State: StateBackoff, BuildID: "b2", NextAttempt: next, Error: "exit code: 1"},
		{ID: "ccc/arm64v8", Repo: "bar", Tags: []string{"bar:1"}, Arch: "arm64v8", State: StateRunning},
	}
	if err := d.opts.Store.PutJobs(jobs...); err != nil {
		t.Fatal(err)
	}
	if err := d.opts.Store.PutBackoff(store.Backoff{BuildID: "b2", Arch: "amd64", Count: 2, Next: next}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()

	tests := []struct {
		method, path string
		code         int
		body         string // a substring of the answer
	}{
		{"GET", "/healthz", 200, "ok"},
		{"GET", "/api/v1/status", 200, `"backoff": 1`},
		{"GET", "/api/v1/jobs?state=backoff", 200, `"next_attempt": "2030-01-01T00:00:00Z"`},
		{"GET", "/api/v1/jobs?repo=foo", 200, `"id": "aaa/amd64"`},
		{"GET", "/api/v1/jobs/aaa/amd64", 200, `"digest": "sha256:1"`},
		{"GET", "/api/v1/jobs/aaa/amd64/log", 200, "COPY nonce /x"},
		{"GET", "/api/v1/jobs/bbb/amd64/log", 404, "has no log yet"},
		{"GET", "/api/v1/jobs/zzz/amd64", 404, "no such job"},
		{"GET", "/api/v1/runs/last/timeline", 404, "no run has ended yet"},
		{"GET", "/api/v1/runs/last/trace", 404, "no run has ended yet"},
		{"POST", "/api/v1/jobs/aaa/amd64/retry", 409, "only a failed or cancelled job"},
		{"POST", "/api/v1/jobs/ccc/arm64v8/cancel", 409, "is not running"},
		{"POST", "/api/v1/jobs/zzz/amd64/cancel", 404, "no such job"},
		{"POST", "/api/v1/jobs/bbb/amd64/retry", 202, `"status": "accepted"`},
		{"POST", "/api/v1/sync", 202, "sync requested"},
		{"DELETE", "/api/v1/jobs/aaa/amd64", 405, ""},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || !strings.Contains(string(body), tt.body) {
			t.Errorf("%s %s: %d %s; want %d with %q", tt.method, tt.path, resp.StatusCode, body, tt.code, tt.body)
		}
	}
	if _, ok, _ := d.opts.Store.Backoff("b2", "amd64"); ok {
		t.Error("a retried job kept its backoff")
	}
}

// TestAPIJobShape checks the JSON of a job: the fields the issue names.
func TestAPIJobShape(t *testing.T) {
	j := apiJob(store.Job{ID: "s/amd64", Repo: "foo", Tags: []string{"foo:1"}, Arch: "amd64", BuildID: "b", State: StateFailed,
		Attempts: 2, Worker: "w", Digest: "sha256:d", Error: "boom"})
	data, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "s/amd64", "repo": "foo", "tags": []any{"foo:1"}, "arch": "amd64", "build_id": "b", "state": "failed",
		"attempts": float64(2), "worker": "w", "digest": "sha256:d", "error": "boom"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("job JSON (-want +got):\n%s", diff)
	}
}

// TestRestoreQueuesRunningJobs: jobs a killed daemon left running are
// queued again at start, for the first run to check against the registry.
func TestRestoreQueuesRunningJobs(t *testing.T) {
	d := newTestDaemon(t)
	if err := d.opts.Store.PutJobs(store.Job{ID: "a/amd64", State: StateRunning}, store.Job{ID: "b/amd64", State: StateSucceeded}); err != nil {
		t.Fatal(err)
	}
	if err := d.restore(); err != nil {
		t.Fatal(err)
	}
	counts, err := d.opts.Store.CountByState()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{StateQueued: 1, StateSucceeded: 1}, counts); diff != "" {
		t.Errorf("states after restore (-want +got):\n%s", diff)
	}
}
