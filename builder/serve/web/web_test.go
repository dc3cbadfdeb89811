package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
	schedworkers "github.com/brewkit/brewkit/scheduler/workers"
)

// newDaemon is a daemon over a store of its own, not started, with jobs.
func newDaemon(t *testing.T, jobs ...store.Job) *serve.Daemon {
	t.Helper()
	d, _ := newDaemonStore(t, jobs...)
	return d
}

// newDaemonStore is newDaemon, and its store.
func newDaemonStore(t *testing.T, jobs ...store.Job) (*serve.Daemon, *store.Store) {
	t.Helper()
	return newDaemonOn(t, engine.Options{}, jobs...)
}

// newDaemonOn is newDaemonStore with an engine of opts and a git cache of
// its own.
func newDaemonOn(t *testing.T, opts engine.Options, jobs ...store.Job) (*serve.Daemon, *store.Store) {
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
	if err := st.SetCommit("0123456789abcdef0123456789abcdef01234567", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutJobs(jobs...); err != nil {
		t.Fatal(err)
	}
	d, err := serve.New(serve.Options{Source: "/nowhere", Sources: sources, Engine: e, Store: st, Logs: logs,
		Publish: engine.PublishOptions{To: "127.0.0.1:5000/library"}})
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

var testJobs = []store.Job{
	{ID: "aaa/amd64", Repo: "foo", Tags: []string{"foo:1", "foo:latest"}, Arch: "amd64", State: serve.StateSucceeded,
		BuildID: "b1b1b1b1b1b1b1b1b1b1", Digest: "sha256:d1d1d1d1d1d1d1d1d1d1d1", Attempts: 1, Worker: "w-amd64"},
	{ID: "bbb/amd64", Repo: "bar", Tags: []string{"bar:1"}, Arch: "amd64", State: serve.StateBackoff, BuildID: "b2",
		NextAttempt: time.Now().Add(time.Hour), Error: "exit code: 1", Attempts: 2},
	{ID: "ccc/arm64v8", Repo: "bar", Tags: []string{"bar:<script>"}, Arch: "arm64v8", State: serve.StateRunning,
		Worker: "w-arm", Start: time.Now().Add(-time.Minute)},
}

// get answers a GET of path with the header h.
func get(t *testing.T, srv http.Handler, path string, header ...string) (int, string) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(body)
}

func newHandler(t *testing.T, opts Options) http.Handler {
	t.Helper()
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestPage checks what the page shows, by its query.
func TestPage(t *testing.T) {
	h := newHandler(t, Options{Daemon: newDaemon(t, testJobs...)})
	tests := []struct {
		path      string
		want, not []string
	}{
		{"/", []string{"<!doctype html>", "0123456789ab", "foo:1 foo:latest", "bar:1", "bar:&lt;script&gt;",
			`data-action="retry" data-job="bbb/amd64"`, `data-action="cancel" data-job="ccc/arm64v8"`, "3 of 3 jobs",
			`<th scope="col">Tags</th>`, `<label for="token">`, "/static/app.js?v="},
			[]string{"bar:<script>", `data-action="retry" data-job="aaa/amd64"`}},
		{"/?state=backoff", []string{"bar:1", "in 59m", "1 of 3 jobs"}, []string{"foo:latest"}},
		{"/?repo=bar&arch=arm64v8", []string{"bar:&lt;script&gt;", "1 of 3 jobs"}, []string{">bar:1<"}},
		{"/?job=aaa/amd64", []string{`data-job="aaa/amd64" data-state="succeeded"`, "b1b1b1b1b1b1", "sha256:d1d1d1d1d1d1", "w-amd64",
			`href="/api/v1/jobs/aaa/amd64/log"`}, nil},
		{"/?job=bbb/amd64", []string{"exit code: 1", "Next attempt"}, nil},
		{"/?job=zzz/amd64", []string{"No job <code>zzz/amd64</code>"}, nil},
		{"/?state=nonsense", []string{"3 of 3 jobs"}, nil},
	}
	for _, tt := range tests {
		code, body := get(t, h, tt.path)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", tt.path, code, body)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in the page", tt.path, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("GET %s: %q in the page", tt.path, n)
			}
		}
	}
}

// TestLiveAndStatic checks the live part the script fetches, the static
// files, and that the API is served.
func TestLiveAndStatic(t *testing.T) {
	h := newHandler(t, Options{Daemon: newDaemon(t, testJobs...)})
	code, body := get(t, h, "/ui/live?job=aaa/amd64")
	if code != 200 || strings.Contains(body, "<html") || !strings.Contains(body, `id="live-queue" data-live`) ||
		!strings.Contains(body, `data-job="aaa/amd64"`) || !strings.Contains(body, `id="filters" data-live`) {
		t.Errorf("GET /ui/live: %d %s", code, body)
	}
	for path, want := range map[string]string{"/static/app.js": "text/javascript", "/static/app.css": "text/css"} {
		r := httptest.NewRequest("GET", path, nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), want) || w.Body.Len() == 0 {
			t.Errorf("GET %s: %d %s", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	if code, body := get(t, h, "/api/v1/jobs/aaa/amd64"); code != 200 || !strings.Contains(body, `"build_id": "b1b1`) {
		t.Errorf("GET /api/v1/jobs/aaa/amd64: %d %s", code, body)
	}
	if code, _ := get(t, h, "/metrics"); code != 404 {
		t.Errorf("GET /metrics with no Metrics: %d, want 404", code)
	}
	if code, _ := get(t, h, "/static/nothing.js"); code != 404 {
		t.Errorf("GET /static/nothing.js: %d, want 404", code)
	}
}

// privateGuard asks for "Bearer secret" on everything but /healthz, as
// a private auth.Guard does.
type privateGuard struct{}

func (privateGuard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" && r.Header.Get("Authorization") != "Bearer secret" {
			http.Error(w, `{"error": "this request needs a token"}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestGuard checks what the guard guards: the API, the live part and
// /metrics; and that a page the guard would not let read the API shows
// a token field and nothing of the daemon.
func TestGuard(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "brewkit_jobs 3\n") })
	h := newHandler(t, Options{Daemon: newDaemon(t, testJobs...), Guard: privateGuard{}, Metrics: metrics})
	tests := []struct {
		path, auth string
		code       int
		want, not  string
	}{
		{"/", "", 200, "A private server", "foo:latest"},
		{"/", "Bearer secret", 200, "foo:latest", "A private server"},
		{"/static/app.js", "", 200, "sessionStorage", ""},
		{"/ui/live", "", 401, "needs a token", "foo:latest"},
		{"/ui/live", "Bearer secret", 200, "foo:latest", ""},
		{"/api/v1/status", "", 401, "needs a token", ""},
		{"/api/v1/status", "Bearer secret", 200, `"commit"`, ""},
		{"/healthz", "", 200, "ok", ""},
		{"/api/v1/jobs/aaa/amd64/log?follow=1", "", 401, "needs a token", ""},
		{"/api/v1/jobs/aaa/amd64/log?follow=1", "Bearer secret", 200, "event: end\ndata: {\"state\":\"succeeded\"}", ""},
		{"/metrics", "", 401, "needs a token", ""},
		{"/metrics", "Bearer secret", 200, "brewkit_jobs 3", ""},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.auth != "" {
			hdr = []string{"Authorization", tt.auth}
		}
		code, body := get(t, h, tt.path, hdr...)
		if code != tt.code || !strings.Contains(body, tt.want) || (tt.not != "" && strings.Contains(body, tt.not)) {
			t.Errorf("GET %s (%q): %d, want %d with %q and without %q:\n%s", tt.path, tt.auth, code, tt.code, tt.want, tt.not, body)
		}
	}
}

// TestTags checks the tags' publications, from GET /api/v1/tags, in
// either shape, and a daemon without it.
func TestTags(t *testing.T) {
	d := newDaemon(t, testJobs...)
	for answer, want := range map[string]bool{
		`[{"ref": "127.0.0.1:5000/library/foo:1", "digest": "sha256:abcabcabcabcabc", "commit": "feedfacefeedface", "time": "2030-01-02T03:04:05Z", "jobs": ["aaa/amd64"]}]`:           true,
		`{"tags": [{"ref": "127.0.0.1:5000/library/foo:1", "digest": "sha256:abcabcabcabcabc", "commit": "feedfacefeedface", "time": "2030-01-02T03:04:05Z", "jobs": ["aaa/amd64"]}]}`: true,
		"404": false,
	} {
		h, mux, err := build(Options{Daemon: d})
		if err != nil {
			t.Fatal(err)
		}
		api := http.NewServeMux()
		if want {
			api.HandleFunc("GET /api/v1/tags", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, answer) })
		} else { // a daemon without tags
			api.HandleFunc("GET /api/v1/tags", http.NotFound)
		}
		api.Handle("/", d.Handler())
		h.api = api
		_, body := get(t, mux, "/")
		for _, s := range []string{"Last published", "<code>127.0.0.1:5000/library/foo:1</code>", "feedfacefeed", `href="?job=aaa%2Famd64">foo:1 foo:latest (amd64)</a>`, "2030-01-02 03:04Z"} {
			if strings.Contains(body, s) != want {
				t.Errorf("tags %s: %q in the page: %v, want %v", answer, s, !want, want)
			}
		}
	}
}

// TestTagsOfTheDaemon checks the tags the daemon's store has on the page.
func TestTagsOfTheDaemon(t *testing.T) {
	d, st := newDaemonStore(t, testJobs...)
	if err := st.PutTags(store.Tag{Ref: "127.0.0.1:5000/library/foo:latest", Repo: "foo", Tag: "latest", Digest: "sha256:feedbeeffeedbeef",
		Commit: "c0ffeec0ffeec0ffee", Time: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Jobs: []string{"aaa/amd64"}, Action: "written"}); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, newHandler(t, Options{Daemon: d}), "/")
	for _, s := range []string{"<code>127.0.0.1:5000/library/foo:latest</code>", "sha256:feedbeeffeed", "c0ffeec0ffee", "written",
		`href="?job=aaa%2Famd64">foo:1 foo:latest (amd64)</a>`} {
		if !strings.Contains(body, s) {
			t.Errorf("no %q in the page", s)
		}
	}
}

// TestPageWorkers checks the workers on the page and in its live part: one
// whose socket does not answer is down, one whose TLS CA file is missing
// is unusable, each with the probe's error, once a heartbeat has probed
// them; neither probe leaves the machine.
func TestPageWorkers(t *testing.T) {
	dir := t.TempDir()
	ws := []schedworkers.Worker{
		{Name: "gone", Address: "unix://" + filepath.Join(dir, "gone.sock"), Arches: []string{"amd64"}},
		{Name: "broken", Address: "tcp://127.0.0.1:1", Arches: []string{"arm64v8"}, TLS: &schedworkers.TLS{CA: filepath.Join(dir, "missing-ca.pem")}},
	}
	target, err := engine.Farm(ws, "127.0.0.1:1", "")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := newDaemonOn(t, engine.Options{Target: target, Heartbeat: 10 * time.Millisecond})
	deadline := time.Now().Add(10 * time.Second)
	for s, _ := d.Status(); len(s.Workers) != 2 || s.Workers[0].Up || !s.Workers[1].Unusable; s, _ = d.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("workers after 10 s: %+v", s.Workers)
		}
		time.Sleep(5 * time.Millisecond)
	}
	h := newHandler(t, Options{Daemon: d})
	tests := []struct {
		worker    string
		want, not []string
	}{
		{"gone", []string{`<span class="badge down">down</span>`, "cannot connect: dial unix " + filepath.Join(dir, "gone.sock")},
			[]string{"badge up", "badge unusable"}},
		{"broken", []string{`<span class="badge unusable" title="out of service: fix its configuration, then restart the daemon">unusable</span>`,
			"TLS: cannot read the CA file: open " + filepath.Join(dir, "missing-ca.pem")}, []string{"badge up", "badge down"}},
	}
	for _, path := range []string{"/", "/ui/live"} {
		code, body := get(t, h, path)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
		for _, tt := range tests {
			row := workerRow(body, tt.worker)
			if row == "" {
				t.Errorf("GET %s: no row of worker %s in:\n%s", path, tt.worker, body)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(row, w) {
					t.Errorf("GET %s: worker %s: no %q in its row:\n%s", path, tt.worker, w, row)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(row, n) {
					t.Errorf("GET %s: worker %s: %q in its row:\n%s", path, tt.worker, n, row)
				}
			}
		}
	}
}

// workerRow returns the row of the workers table of the page for name,
// "" if there is none.
func workerRow(page, name string) string {
	_, rest, ok := strings.Cut(page, `<td data-label="Worker">`+name+`</td>`)
	if !ok {
		return ""
	}
	row, _, _ := strings.Cut(rest, "</tr>")
	return row
}
