package serve

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/serve/auth"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// newFixtureDaemon is a daemon, not started, whose store has a job in
// each state the API acts on: aaa/amd64 succeeded (with a log),
// bbb/amd64 in backoff, ccc/arm64v8 running.
func newFixtureDaemon(t *testing.T) *Daemon {
	t.Helper()
	d := newTestDaemon(t)
	logFile := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(logFile, []byte("#1 [amd64 foo:1] COPY nonce /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	err := d.opts.Store.PutJobs(
		store.Job{ID: "aaa/amd64", Repo: "foo", Tags: []string{"foo:1"}, Arch: "amd64", State: StateSucceeded, BuildID: "b1", Log: logFile},
		store.Job{ID: "bbb/amd64", Repo: "bar", Tags: []string{"bar:1"}, Arch: "amd64", State: StateBackoff, BuildID: "b2", NextAttempt: next},
		store.Job{ID: "ccc/arm64v8", Repo: "bar", Tags: []string{"bar:1"}, Arch: "arm64v8", State: StateRunning},
	)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newAPIServer serves h as brewkit serve does, with NewHTTPServer's
// limits.
func newAPIServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config = NewHTTPServer(h)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type apiCase struct {
	name, method, path string
	body               io.Reader
	header             map[string]string
	code               int
	want               string            // a substring of the answer
	wantHeader         map[string]string // headers the answer has
}

func (tt apiCase) run(t *testing.T, base string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), tt.method, base+tt.path, tt.body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tt.header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != tt.code || !strings.Contains(string(body), tt.want) {
		t.Errorf("%s %.80s: %d %.300s; want %d with %q", tt.method, tt.path, resp.StatusCode, body, tt.code, tt.want)
	}
	for k, v := range tt.wantHeader {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s %.80s: %s: %q; want %q", tt.method, tt.path, k, got, v)
		}
	}
}

// TestAPIHardening sends the API what a careless or hostile client
// would: bad ids and filters, bodies, methods and paths.
func TestAPIHardening(t *testing.T) {
	srv := newAPIServer(t, newFixtureDaemon(t).Handler())
	long := strings.Repeat("x", 8<<10)
	tests := []apiCase{
		// filters
		{name: "bad state", method: "GET", path: "/api/v1/jobs?state=nonsense", code: 400,
			want: `state \"nonsense\": want one of waiting, queued, running, succeeded, failed, backoff, cancelled, skipped`},
		{name: "long state", method: "GET", path: "/api/v1/jobs?state=" + long, code: 400, want: `state \"` + long[:40] + `\": want one of`},
		{name: "bad arch", method: "GET", path: "/api/v1/jobs?arch=x86", code: 400, want: `arch \"x86\": want one of amd64,`},
		{name: "unknown repo", method: "GET", path: "/api/v1/jobs?repo=nosuch", code: 200, want: `"jobs": []`},
		{name: "known arch, no job", method: "GET", path: "/api/v1/jobs?arch=s390x", code: 200, want: `"jobs": []`},
		{name: "state and arch", method: "GET", path: "/api/v1/jobs?state=running&arch=arm64v8", code: 200, want: `"id": "ccc/arm64v8"`},
		{name: "repeated state", method: "GET", path: "/api/v1/jobs?state=running&state=nonsense", code: 200, want: `"ccc/arm64v8"`},
		// ids
		{name: "unknown job", method: "GET", path: "/api/v1/jobs/zzz/amd64", code: 404, want: `"error": "zzz/amd64: no such job`},
		{name: "unknown arch", method: "GET", path: "/api/v1/jobs/aaa/nosuch", code: 404, want: "aaa/nosuch: no such job"},
		{name: "one segment", method: "GET", path: "/api/v1/jobs/aaa", code: 404},
		{name: "encoded slash", method: "GET", path: "/api/v1/jobs/aaa%2Famd64", code: 404},
		{name: "encoded slash in source", method: "GET", path: "/api/v1/jobs/aaa%2Fx/amd64", code: 404, want: "aaa/x/amd64: no such job"},
		{name: "encoded dot-dot", method: "GET", path: "/api/v1/jobs/%2E%2E/amd64", code: 404, want: "../amd64: no such job"},
		{name: "NUL", method: "GET", path: "/api/v1/jobs/a%00b/amd64", code: 404, want: `a\u0000b/amd64: no such job`},
		{name: "too many segments", method: "GET", path: "/api/v1/jobs/aaa/amd64/x/y", code: 404},
		{name: "long id", method: "GET", path: "/api/v1/jobs/" + long + "/amd64", code: 404, want: "no such job"},
		{name: "log of an unknown job", method: "GET", path: "/api/v1/jobs/zzz/amd64/log", code: 404, want: "no such job"},
		{name: "retry an unknown job", method: "POST", path: "/api/v1/jobs/a%2Fb/amd64/retry", code: 404, want: "a/b/amd64: no such job"},
		// paths
		{name: "dot-dot", method: "GET", path: "/api/v1/jobs/aaa/../aaa/amd64", code: 307, wantHeader: map[string]string{"Location": "/api/v1/jobs/aaa/amd64"}},
		{name: "double slash", method: "GET", path: "//api/v1/status", code: 307, wantHeader: map[string]string{"Location": "/api/v1/status"}},
		{name: "inner double slash", method: "GET", path: "/api/v1//status", code: 307, wantHeader: map[string]string{"Location": "/api/v1/status"}},
		{name: "trailing slash", method: "GET", path: "/api/v1/status/", code: 404},
		{name: "very long path", method: "GET", path: "/api/v1/jobs/" + strings.Repeat("y", 100<<10) + "/amd64", code: 431},
		{name: "very long header", method: "GET", path: "/healthz", header: map[string]string{"X-Junk": strings.Repeat("z", 100<<10)}, code: 431},
		// methods
		{name: "GET a POST", method: "GET", path: "/api/v1/sync", code: 405, wantHeader: map[string]string{"Allow": "POST"}},
		{name: "DELETE a job", method: "DELETE", path: "/api/v1/jobs/aaa/amd64", code: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "PUT a retry", method: "PUT", path: "/api/v1/jobs/bbb/amd64/retry", code: 405, wantHeader: map[string]string{"Allow": "POST"}},
		{name: "POST status", method: "POST", path: "/api/v1/status", code: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "HEAD a job", method: "HEAD", path: "/api/v1/jobs/aaa/amd64", code: 200},
		// bodies
		{name: "sync with JSON", method: "POST", path: "/api/v1/sync", body: strings.NewReader(`{"force": true}`), code: 202, want: "sync requested"},
		{name: "sync with garbage", method: "POST", path: "/api/v1/sync", body: strings.NewReader("\x00{{{not json"), code: 202},
		{name: "retry with a body", method: "POST", path: "/api/v1/jobs/bbb/amd64/retry", body: strings.NewReader("[1,2"), code: 202, want: `"job": "bbb/amd64"`},
		{name: "sync with a body at the limit", method: "POST", path: "/api/v1/sync", body: bytes.NewReader(make([]byte, MaxBody)), code: 202},
		{name: "sync with a huge body", method: "POST", path: "/api/v1/sync", body: bytes.NewReader(make([]byte, MaxBody+1)), code: 413,
			want: "POST /api/v1/sync takes no body; one of more than 65536 bytes is refused"},
		{name: "cancel with a huge body", method: "POST", path: "/api/v1/jobs/ccc/arm64v8/cancel", body: bytes.NewReader(make([]byte, 2*MaxBody)), code: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, srv.URL) })
	}
}

// TestAPIBodyUnread: a huge body is refused after MaxBody bytes, without
// a network in between.
func TestAPIBodyUnread(t *testing.T) {
	h := newFixtureDaemon(t).Handler()
	body := &countingReader{r: io.LimitReader(zeros{}, 100<<20)}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "POST", "/api/v1/sync", body))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("%d %s; want 413", rec.Code, rec.Body)
	}
	if body.n > 2*MaxBody {
		t.Errorf("read %d bytes of the body; want about %d", body.n, MaxBody)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// guardedServer is the daemon's API behind a guard with one token, ci,
// as brewkit serve --token-file runs it, and the guard's log.
func guardedServer(t *testing.T, private bool) (srv *httptest.Server, token string, logs *bytes.Buffer, mu *sync.Mutex) {
	t.Helper()
	token, line, err := auth.NewToken("ci")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.ParseTokens(strings.NewReader(line), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	logs, mu = &bytes.Buffer{}, &sync.Mutex{}
	log := slog.New(slog.NewTextHandler(lockedWriter{logs, mu}, nil))
	g := auth.Guard{Tokens: tokens, Private: private, Logger: log}
	return newAPIServer(t, g.Wrap(newFixtureDaemon(t).Handler())), token, logs, mu
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestAPIGuarded is the token matrix over the real API.
func TestAPIGuarded(t *testing.T) {
	srv, token, logs, mu := guardedServer(t, false)
	bearer := map[string]string{"Authorization": "Bearer " + token}
	wrong := map[string]string{"Authorization": "Bearer bk_" + strings.Repeat("A", 43)}
	tests := []apiCase{
		{name: "read", method: "GET", path: "/api/v1/jobs/aaa/amd64", code: 200, want: `"id": "aaa/amd64"`},
		{name: "sync, no token", method: "POST", path: "/api/v1/sync", code: 401, want: "needs a token", wantHeader: map[string]string{"WWW-Authenticate": `Bearer realm="brewkit"`}},
		{name: "sync, wrong token", method: "POST", path: "/api/v1/sync", header: wrong, code: 403, want: "not one of"},
		{name: "sync", method: "POST", path: "/api/v1/sync", header: bearer, code: 202, want: "sync requested"},
		{name: "retry, no token", method: "POST", path: "/api/v1/jobs/bbb/amd64/retry", code: 401},
		{name: "retry", method: "POST", path: "/api/v1/jobs/bbb/amd64/retry", header: bearer, code: 202},
		{name: "cancel, wrong token", method: "POST", path: "/api/v1/jobs/ccc/arm64v8/cancel", header: wrong, code: 403},
		{name: "cancel", method: "POST", path: "/api/v1/jobs/ccc/arm64v8/cancel", header: bearer, code: 409, want: "is not running"},
		{name: "dot-dot, no token", method: "POST", path: "/api/v1/status/../sync", code: 401},
		{name: "DELETE, no token", method: "DELETE", path: "/api/v1/jobs/aaa/amd64", code: 401},
		{name: "DELETE", method: "DELETE", path: "/api/v1/jobs/aaa/amd64", header: bearer, code: 405, wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "big body, no token", method: "POST", path: "/api/v1/sync", body: bytes.NewReader(make([]byte, MaxBody)), code: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, srv.URL) })
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	for _, want := range []string{"token_name=ci method=POST path=/api/v1/sync remote=127.0.0.1:", "status=202",
		`token_name="" method=POST path=/api/v1/jobs/ccc/arm64v8/cancel`, "status=403", "status=401", "token_name=ci method=DELETE"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, token) || strings.Contains(out, token[3:]) || strings.Contains(out, "Bearer") {
		t.Errorf("the log has the token:\n%s", out)
	}
}

// TestAPIPrivate: a private API asks for the token on reads, but for
// the health check.
func TestAPIPrivate(t *testing.T) {
	srv, token, _, _ := guardedServer(t, true)
	bearer := map[string]string{"Authorization": "Bearer " + token}
	tests := []apiCase{
		{name: "health", method: "GET", path: "/healthz", code: 200, want: "ok"},
		{name: "status", method: "GET", path: "/api/v1/status", code: 401},
		{name: "log", method: "GET", path: "/api/v1/jobs/aaa/amd64/log", code: 401},
		{name: "log, token", method: "GET", path: "/api/v1/jobs/aaa/amd64/log", header: bearer, code: 200, want: "COPY nonce"},
		{name: "bad state, token", method: "GET", path: "/api/v1/jobs?state=x", header: bearer, code: 400, want: "want one of"},
		{name: "health dot-dot", method: "GET", path: "/healthz/../api/v1/status", code: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, srv.URL) })
	}
}

// TestAPINoTokenFile: without tokens, the API is read-only.
func TestAPINoTokenFile(t *testing.T) {
	srv := newAPIServer(t, auth.Guard{}.Wrap(newFixtureDaemon(t).Handler()))
	for _, tt := range []apiCase{
		{name: "read", method: "GET", path: "/api/v1/status", code: 200, want: `"jobs"`},
		{name: "sync", method: "POST", path: "/api/v1/sync", code: 403, want: "--token-file"},
		{name: "retry", method: "POST", path: "/api/v1/jobs/bbb/amd64/retry", header: map[string]string{"Authorization": "Bearer x"}, code: 403, want: "--token-file"},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, srv.URL) })
	}
}

// TestAPIConcurrent sends 200 requests at once, reads and mutations, to
// the guarded API; run it with -race.
func TestAPIConcurrent(t *testing.T) {
	srv, token, logs, mu := guardedServer(t, false)
	requests := []struct {
		method, path string
		auth         bool
		code         int
	}{
		{"GET", "/api/v1/status", false, 200},
		{"GET", "/api/v1/jobs?state=backoff", false, 200},
		{"GET", "/api/v1/jobs/aaa/amd64", false, 200},
		{"GET", "/api/v1/jobs/aaa/amd64/log", false, 200},
		{"POST", "/api/v1/sync", true, 202},
		{"POST", "/api/v1/jobs/bbb/amd64/retry", true, 202},
		{"POST", "/api/v1/jobs/ccc/arm64v8/cancel", true, 409},
		{"POST", "/api/v1/sync", false, 401},
	}
	errs := make(chan error, 200)
	var wg sync.WaitGroup
	for i := range 200 {
		r := requests[i%len(requests)]
		wg.Go(func() {
			req, err := http.NewRequestWithContext(t.Context(), r.method, srv.URL+r.path, nil)
			if err != nil {
				errs <- err
				return
			}
			if r.auth {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != r.code {
				errs <- fmt.Errorf("%s %s: %d; want %d", r.method, r.path, resp.StatusCode, r.code)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "api mutation"); n != 100 {
		t.Errorf("%d mutations logged; want 100", n)
	}
}
