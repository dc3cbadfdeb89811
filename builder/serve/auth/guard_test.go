package auth

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// echo is the handler behind the guard: it answers 200 with the token's
// name the guard passed on, or "-".
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	name, ok := NameFrom(r.Context())
	if !ok {
		name = "-"
	}
	io.WriteString(w, "passed "+name)
})

// testTokens are two clients, ci and alice, and their tokens.
func testTokens(t *testing.T) (*Tokens, map[string]string) {
	t.Helper()
	tokens := map[string]string{}
	var file strings.Builder
	for _, name := range []string{"ci", "alice"} {
		token, line, err := NewToken(name)
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = token
		file.WriteString(line + "\n")
	}
	ts, err := ParseTokens(strings.NewReader(file.String()), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	return ts, tokens
}

type guardCase struct {
	name, method, path, auth string
	code                     int
	body                     string // a substring of the answer
}

func runGuardCases(t *testing.T, h http.Handler, cases []guardCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), tt.method, tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("%s %s: %d %s; want %d with %q", tt.method, tt.path, rec.Code, rec.Body, tt.code, tt.body)
			}
			if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if rec.Code >= 400 && rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("error of type %q; want JSON", rec.Header().Get("Content-Type"))
			}
		})
	}
}

// TestGuard is the 401/403/200 matrix of an open (not Private) guard.
func TestGuard(t *testing.T) {
	ts, tok := testTokens(t)
	h := Guard{Tokens: ts}.Wrap(echo)
	runGuardCases(t, h, []guardCase{
		{"read", "GET", "/api/v1/status", "", 200, "passed -"},
		{"head", "HEAD", "/api/v1/status", "", 200, ""},
		{"options", "OPTIONS", "/api/v1/sync", "", 200, "passed -"},
		{"read with a wrong token", "GET", "/api/v1/status", "Bearer nope", 200, "passed -"},
		{"no token", "POST", "/api/v1/sync", "", 401, `"error": "this request needs a token`},
		{"empty bearer", "POST", "/api/v1/sync", "Bearer ", 401, "needs a token"},
		{"basic auth", "POST", "/api/v1/sync", "Basic Y2k6eA==", 401, "needs a token"},
		{"the token alone", "POST", "/api/v1/sync", tok["ci"], 401, "needs a token"},
		{"wrong token", "POST", "/api/v1/sync", "Bearer bk_wrong", 403, "not one of this server's"},
		{"a hash for a token", "POST", "/api/v1/sync", "Bearer " + HashLine(tok["ci"]), 403, "not one of"},
		{"ci", "POST", "/api/v1/sync", "Bearer " + tok["ci"], 200, "passed ci"},
		{"alice, lowercase scheme", "POST", "/api/v1/jobs/a/amd64/retry", "bearer " + tok["alice"], 200, "passed alice"},
		{"DELETE", "DELETE", "/api/v1/jobs/a/amd64", "", 401, "needs a token"},
		{"PUT with a token", "PUT", "/x", "Bearer " + tok["ci"], 200, "passed ci"},
	})
}

// TestGuardNoTokens: without a token file, mutations are refused, with
// or without a token, and reads pass.
func TestGuardNoTokens(t *testing.T) {
	_, tok := testTokens(t)
	for _, g := range []Guard{{}, {Private: false, Tokens: nil}} {
		runGuardCases(t, g.Wrap(echo), []guardCase{
			{"read", "GET", "/api/v1/jobs", "", 200, "passed -"},
			{"mutation", "POST", "/api/v1/sync", "", 403, "start brewkit serve with --token-file"},
			{"mutation with a token", "POST", "/api/v1/sync", "Bearer " + tok["ci"], 403, "--token-file"},
		})
	}
	runGuardCases(t, Guard{Private: true}.Wrap(echo), []guardCase{
		{"private read", "GET", "/api/v1/jobs", "Bearer " + tok["ci"], 403, "not one of"},
		{"health", "GET", "/healthz", "", 200, "passed -"},
	})
}

// TestGuardPrivate: reads need the token too, but for the health check
// and the public paths; a path trick does not make a path public.
func TestGuardPrivate(t *testing.T) {
	ts, tok := testTokens(t)
	h := Guard{Tokens: ts, Private: true, PublicPaths: []string{"/"}, PublicPrefixes: []string{"/static/"}}.Wrap(echo)
	runGuardCases(t, h, []guardCase{
		{"health", "GET", "/healthz", "", 200, "passed -"},
		{"health HEAD", "HEAD", "/healthz", "", 200, ""},
		{"page", "GET", "/", "", 200, "passed -"},
		{"static", "GET", "/static/app.js", "", 200, "passed -"},
		{"static dir", "GET", "/static/", "", 200, "passed -"},
		{"status", "GET", "/api/v1/status", "", 401, "needs a token"},
		{"status, wrong token", "GET", "/api/v1/status", "Bearer x", 403, "not one of"},
		{"status, token", "GET", "/api/v1/status", "Bearer " + tok["alice"], 200, "passed alice"},
		{"options", "OPTIONS", "/api/v1/status", "", 401, "needs a token"},
		{"POST to a public path", "POST", "/healthz", "", 401, "needs a token"},
		{"dot-dot from static", "GET", "/static/../api/v1/status", "", 401, "needs a token"},
		{"double slash", "GET", "/static//x", "", 401, "needs a token"},
		{"escaped slash", "GET", "/static%2F..%2Fapi/v1/status", "", 401, "needs a token"},
		{"page prefix is not public", "GET", "/api", "", 401, "needs a token"},
		{"healthz below", "GET", "/healthz/x", "", 401, "needs a token"},
		{"mutation", "POST", "/api/v1/sync", "Bearer " + tok["ci"], 200, "passed ci"},
	})
}

// TestGuardLogs: every mutation is logged with the token's name, the
// method, path and remote address, and the status; never the token,
// the query or the Authorization header.
func TestGuardLogs(t *testing.T) {
	ts, tok := testTokens(t)
	var logs lockedBuffer
	h := Guard{Tokens: ts, Logger: slog.New(slog.NewTextHandler(&logs, nil))}.Wrap(echo)
	requests := []struct {
		method, path, auth string
		want               string
	}{
		{"POST", "/api/v1/sync?token=" + tok["alice"], "Bearer " + tok["ci"], `msg="api mutation" token_name=ci method=POST path=/api/v1/sync remote=192.0.2.1:1234 status=200`},
		{"POST", "/api/v1/jobs/a/amd64/cancel", "Bearer " + tok["alice"] + "x", `token_name="" method=POST path=/api/v1/jobs/a/amd64/cancel remote=192.0.2.1:1234 status=403`},
		{"DELETE", "/x", "", `token_name="" method=DELETE path=/x remote=192.0.2.1:1234 status=401`},
		{"GET", "/api/v1/status", "Bearer " + tok["ci"], ""},
	}
	for _, r := range requests {
		req := httptest.NewRequestWithContext(t.Context(), r.method, r.path, nil)
		req.Header.Set("Authorization", r.auth)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	out := logs.String()
	for _, r := range requests {
		if r.want != "" && !strings.Contains(out, r.want) {
			t.Errorf("log %q lacks %q", out, r.want)
		}
	}
	if n := strings.Count(out, "api mutation"); n != 3 {
		t.Errorf("%d mutations logged; want 3 (reads are not):\n%s", n, out)
	}
	for _, secret := range []string{tok["ci"], tok["alice"], tok["ci"][3:20], "Bearer", "token="} {
		if strings.Contains(out, secret) {
			t.Errorf("the log has %q:\n%s", secret, out)
		}
	}
}

// TestGuardLogsLong: a long path or method is cut short in the log.
func TestGuardLogsLong(t *testing.T) {
	var logs lockedBuffer
	h := Guard{Logger: slog.New(slog.NewTextHandler(&logs, nil))}.Wrap(echo)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(t.Context(), strings.Repeat("M", 5000), "/"+strings.Repeat("a", 5000), nil))
	if out := logs.String(); len(out) > 1000 || !strings.Contains(out, "a...") || !strings.Contains(out, "method=MMMMMMMMMMMMMMMM...") {
		t.Errorf("log of a long path and method: %d bytes: %.400s", len(out), out)
	}
}

// TestGuardConcurrent checks the guard under many requests at once.
func TestGuardConcurrent(t *testing.T) {
	ts, tok := testTokens(t)
	var logs lockedBuffer
	h := Guard{Tokens: ts, Private: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))}.Wrap(echo)
	var wg sync.WaitGroup
	codes := make([]int, 200)
	for i := range codes {
		wg.Go(func() {
			method, auth := "GET", "Bearer "+tok["ci"]
			if i%2 == 1 {
				method = "POST"
			}
			if i%4 == 3 {
				auth = "Bearer wrong"
			}
			req := httptest.NewRequestWithContext(t.Context(), method, "/api/v1/sync", nil)
			req.Header.Set("Authorization", auth)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			codes[i] = rec.Code
		})
	}
	wg.Wait()
	for i, code := range codes {
		want := 200
		if i%4 == 3 {
			want = 403
		}
		if code != want {
			t.Errorf("request %d: %d; want %d", i, code, want)
		}
	}
	if n := strings.Count(logs.String(), "api mutation"); n != 100 {
		t.Errorf("%d mutations logged; want 100", n)
	}
}
