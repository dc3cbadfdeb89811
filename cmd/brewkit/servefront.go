package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/auth"
	"github.com/brewkit/brewkit/builder/serve/web"
)

// front is what serve puts in front of the daemon's API: the guard of
// --token-file and --private, and the TLS of --tls-cert and --tls-key.
type front struct {
	guard auth.Guard
	tls   *tls.Config // nil: plain HTTP
}

// loadFront reads the token file and the certificate, before anything
// starts.
func (o *serveOptions) loadFront() (front, error) {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return front{}, errors.New("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither for HTTP")
	}
	if o.private && o.tokenFile == "" {
		return front{}, errors.New("--private needs --token-file: without tokens nobody could read the API")
	}
	f := front{guard: auth.Guard{Private: o.private, Logger: o.log}}
	if o.tokenFile != "" {
		tokens, err := auth.LoadTokens(o.tokenFile)
		if err != nil {
			return front{}, fmt.Errorf("--token-file: %w", err)
		}
		f.guard.Tokens = tokens
	}
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return front{}, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", o.tlsCert, o.tlsKey, err)
		}
		f.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return f, nil
}

// listen listens on addr.
func (f front) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	return ln, nil
}

// server is the HTTP server of d's page and API, and metrics, behind
// the guard (package builder/serve/web composes them).
func (f front) server(d *serve.Daemon, metrics http.Handler) (*http.Server, error) {
	h, err := web.New(web.Options{Daemon: d, Guard: f.guard, Metrics: metrics, Logger: f.guard.Logger})
	if err != nil {
		return nil, err
	}
	srv := serve.NewHTTPServer(h)
	srv.TLSConfig = f.tls
	return srv, nil
}

// serve serves srv on ln until srv shuts down: over TLS, HTTP/2 or 1.1,
// if f has a certificate. HTTP/2 lets a browser follow many logs at once.
func (f front) serve(srv *http.Server, ln net.Listener) error {
	if f.tls != nil {
		return srv.ServeTLS(ln, "", "")
	}
	return srv.Serve(ln)
}

// logStart says at start what the API allows, and warns of what is
// unsafe: no tokens (no mutations), tokens in clear over a network.
func (o *serveOptions) logStart(f front, ln net.Listener) {
	o.log.Info("serving", "listen", ln.Addr().String(), "https", f.tls != nil, "tokens", f.guard.Tokens.Len(),
		"private", f.guard.Private, "source", o.source, "push", o.push)
	if f.guard.Tokens.Len() == 0 {
		o.log.Warn("no --token-file: the API is read-only, POST requests (sync, retry, cancel) are refused; start serve with --token-file to allow them (brewkit serve token NAME makes a token)")
	}
	if f.tls == nil && f.guard.Tokens.Len() > 0 && !loopback(ln.Addr()) {
		o.log.Warn("tokens cross the network in clear: --listen is not a loopback address and there is no --tls-cert", "listen", ln.Addr().String())
	}
}

// loopback tells whether addr is a loopback address.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
