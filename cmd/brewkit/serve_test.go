package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve/auth"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// TestServeToken: serve token prints the token, then its file line, and
// says which is which on stderr.
func TestServeToken(t *testing.T) {
	stdout, stderr, err := brewkit(t, testEnv(), "serve", "token", "ci")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "bk_") || !strings.HasPrefix(lines[1], "ci sha256:") {
		t.Fatalf("stdout %q: want a token line, then \"ci sha256:HEX\"", stdout)
	}
	tokens, err := auth.ParseTokens(strings.NewReader(lines[1]), "line 2")
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := tokens.Check(lines[0]); !ok || name != "ci" {
		t.Errorf("the token of line 1 is not the one of line 2: %q, %v", name, ok)
	}
	if !strings.Contains(stderr, "line 1") || !strings.Contains(stderr, "--token-file (line 2") || strings.Contains(stderr, lines[0]) {
		t.Errorf("stderr %q: want it to say which line is which, without the token", stderr)
	}
	for _, args := range [][]string{{"serve", "token"}, {"serve", "token", "a", "b"}, {"serve", "token", "a/b"}} {
		if _, _, err := brewkit(t, testEnv(), args...); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestServeFlags: the flags of the API's front are refused before
// anything starts.
func TestServeFlags(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokenFile, []byte("ci sha256:abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cert, key := selfSigned(t)
	base := []string{"serve", "--source", "/nowhere", "--worker", "amd64=tcp://127.0.0.1:1", "--push", "127.0.0.1:5000/library", "--state", filepath.Join(dir, "state")}
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", key}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-cert", key, "--tls-key", cert}, "--tls-cert " + key},
		{[]string{"--tls-cert", cert, "--tls-key", filepath.Join(dir, "none")}, "no such file"},
		{[]string{"--private"}, "--private needs --token-file"},
		{[]string{"--token-file", tokenFile}, "--token-file: " + tokenFile + ":1: ci: the hash has 3 hex digits; want 64"},
		{[]string{"--token-file", filepath.Join(dir, "none")}, "--token-file: token file: open"},
	}
	for _, tt := range tests {
		_, _, err := brewkit(t, testEnv(), append(base, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: error %v; want one with %q", tt.args, err, tt.err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !os.IsNotExist(err) {
		t.Errorf("the state was opened before the flags were checked: %v", err)
	}
}

// TestServeFront serves a real daemon's API as serve does, over HTTPS
// with a certificate made here, behind a token file.
func TestServeFront(t *testing.T) {
	cert, key := selfSigned(t)
	token, line, err := auth.NewToken("ci")
	if err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokenFile, []byte("# clients\n"+line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncLog{}
	o := &serveOptions{globalOptions: &globalOptions{log: slog.New(slog.NewTextHandler(logs, nil))},
		source: "/nowhere", push: "127.0.0.1:5000/library", stateDir: t.TempDir(),
		tokenFile: tokenFile, tlsCert: cert, tlsKey: key}
	fr, err := o.loadFront()
	if err != nil {
		t.Fatal(err)
	}
	client := startFront(t, o, fr, cert)

	tests := []struct {
		method, path, auth string
		code               int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/api/v1/status", "", 200},
		{"GET", "/", "", 200},              // the page
		{"GET", "/static/app.js", "", 200}, // its script
		{"POST", "/api/v1/sync", "", 401},
		{"POST", "/api/v1/sync", "Bearer bk_nope", 403},
		{"POST", "/api/v1/sync", "Bearer " + token, 202},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, client.base+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || resp.ProtoMajor != 2 {
			t.Errorf("%s %s: %d over %s; want %d over HTTP/2", tt.method, tt.path, resp.StatusCode, resp.Proto, tt.code)
		}
	}
	if out := logs.String(); !strings.Contains(out, "https=true tokens=1") || !strings.Contains(out, "token_name=ci method=POST path=/api/v1/sync") ||
		strings.Contains(out, token) || strings.Contains(out, "read-only") {
		t.Errorf("log:\n%s", out)
	}
	plain, err := http.Get(strings.Replace(client.base, "https:", "http:", 1) + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	plain.Body.Close()
	if plain.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP to the HTTPS port: %d; want 400", plain.StatusCode)
	}
}

// TestServeFrontNoTokens: without --token-file serve says at start that
// the API is read-only, and it is.
func TestServeFrontNoTokens(t *testing.T) {
	logs := &syncLog{}
	o := &serveOptions{globalOptions: &globalOptions{log: slog.New(slog.NewTextHandler(logs, nil))},
		source: "/nowhere", push: "127.0.0.1:5000/library", stateDir: t.TempDir()}
	fr, err := o.loadFront()
	if err != nil {
		t.Fatal(err)
	}
	client := startFront(t, o, fr, "")
	resp, err := client.Post(client.base+"/api/v1/sync", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "--token-file") {
		t.Errorf("POST without a token file: %d %s; want 403 naming --token-file", resp.StatusCode, body)
	}
	if out := logs.String(); !strings.Contains(out, "level=WARN msg=\"no --token-file: the API is read-only") || !strings.Contains(out, "https=false") {
		t.Errorf("log:\n%s", out)
	}
}

// syncLog is a log that handlers write while the test reads it.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type frontClient struct {
	*http.Client
	base string
}

// startFront serves a daemon (not started) behind fr on a free port,
// and returns a client that trusts cert, if any.
func startFront(t *testing.T, o *serveOptions, fr front, cert string) frontClient {
	t.Helper()
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(o.stateDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := o.newDaemon(sources, e, st, store.DefaultSchedule(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := fr.listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fr.server(d, http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	go fr.serve(srv, ln)
	t.Cleanup(func() { srv.Close() })
	o.logStart(fr, ln)
	c := frontClient{Client: &http.Client{}, base: "http://" + ln.Addr().String()}
	if cert != "" {
		pem, err := os.ReadFile(cert)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		c.Client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
		c.base = "https://" + ln.Addr().String()
	}
	t.Cleanup(c.Client.CloseIdleConnections)
	return c
}

// selfSigned writes a certificate for 127.0.0.1 and its key, PEM, and
// returns their paths.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "brewkit test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestServeRefusesBadNotifyFlags: --notify and --notify-failures are
// checked before anything is opened, and the error hides a URL's
// password.
func TestServeRefusesBadNotifyFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string
		secrets string // must not be in the error
	}{
		{"no failures", []string{"--notify-failures", "0"}, "--notify-failures 0: want a positive count", ""},
		{"not http", []string{"--notify", "ftp://hooks.example/x"}, "--notify: notify URL ftp://hooks.example/x: want http:// or https://", ""},
		{"no host, a password", []string{"--notify", "http://user:hunter2@"}, "want http:// or https://", "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := newRootCmd(func(string) string { return "" })
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(append([]string{"serve", "--source", t.TempDir(), "--worker", "amd64=unix:///nowhere.sock",
				"--push", "127.0.0.1:5000/library", "--state", t.TempDir()}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve %q: %v; want an error with %q", tt.args, err, tt.want)
			}
			if tt.secrets != "" && strings.Contains(err.Error(), tt.secrets) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
