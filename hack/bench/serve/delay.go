package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// delayProxy serves the registry at target on a loopback port of its own,
// each request delayed by d: a registry as far away as a round trip of d
// (production's is not on the daemon's machine). It returns the proxy's
// host and the func that stops it.
func delayProxy(target string, d time.Duration) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	srv := &http.Server{ReadHeaderTimeout: time.Minute, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// viaProxy is ref ("HOST/NAMESPACE") with HOST replaced by proxy; ref's
// host must be registry.
func viaProxy(ref, registry, proxy string) (string, error) {
	rest, ok := strings.CutPrefix(ref, registry+"/")
	if !ok {
		return "", fmt.Errorf("%s is not in the farm's registry %s: -delay proxies that one only", ref, registry)
	}
	return proxy + "/" + rest, nil
}
