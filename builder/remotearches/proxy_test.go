package remotearches

import (
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/brewkit/brewkit/builder/registrytest"
)

// recorder serves an in-process registry and keeps the requests it got.
type recorder struct {
	srv  *httptest.Server
	host string
	mu   sync.Mutex
	reqs []*http.Request
}

// newRecorder serves h, under prefix if not empty, and records requests.
func newRecorder(t *testing.T, h http.Handler, prefix string) *recorder {
	t.Helper()
	rec := &recorder{}
	if prefix != "" {
		h = http.StripPrefix(prefix, h)
	}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(r.Context()))
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	rec.host = strings.TrimPrefix(rec.srv.URL, "http://")
	return rec
}

// take returns the requests recorded since the last take.
func (r *recorder) take() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	reqs := r.reqs
	r.reqs = nil
	return reqs
}

// hubKeychain has credentials for Docker Hub only.
type hubKeychain struct{}

func (hubKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == "index.docker.io" {
		return &authn.Basic{Username: "hubuser", Password: "hubpass"}, nil
	}
	return authn.Anonymous, nil
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func push(t *testing.T, ref string, arches ...string) string {
	t.Helper()
	d, err := registrytest.Push(t.Context(), ref, arches)
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// TestDockerHubProxy looks images up with and without a Docker Hub proxy,
// against in-process registries standing in for the proxy, Docker Hub
// and another registry; the proxy's images and Docker Hub's have
// different architectures, so that the answer tells who gave it.
func TestDockerHubProxy(t *testing.T) {
	registry := registrytest.NewHandler()
	proxy := newRecorder(t, registry, "")
	mirror := newRecorder(t, registry, "/mirror") // the same registry, under a path
	hub := newRecorder(t, registrytest.NewHandler(), "")
	other := newRecorder(t, registrytest.NewHandler(), "")
	down := closedAddr(t)

	pinned := push(t, proxy.host+"/fixture/img:1", "amd64", "arm64v8")
	push(t, proxy.host+"/library/debian:bookworm", "amd64", "s390x")
	push(t, hub.host+"/fixture/img:1", "ppc64le")
	push(t, hub.host+"/fixture/hubonly:1", "riscv64")
	push(t, other.host+"/fixture/img:1", "arm32v7")

	tests := []struct {
		name, proxy, image string
		hubDown            bool
		wantRef            string
		want               string // the arches, or with wantErr a part of the error
		wantErr            bool
		notFound           bool // the error is a 404
		proxyAsked         bool
		hubAsked           bool
	}{
		{name: "no proxy: Docker Hub", image: "fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "ppc64le", hubAsked: true},
		{name: "proxy has it", proxy: "http://" + proxy.host, image: "fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "amd64 arm64v8", proxyAsked: true},
		{name: "by digest", proxy: "http://" + proxy.host, image: "fixture/img:1@" + pinned, wantRef: "docker.io/fixture/img:1@" + pinned, want: "amd64 arm64v8", proxyAsked: true},
		{name: "index.docker.io", proxy: "http://" + proxy.host + "/", image: "index.docker.io/fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "amd64 arm64v8", proxyAsked: true},
		{name: "library image", proxy: "http://" + proxy.host, image: "debian:bookworm", wantRef: "docker.io/library/debian:bookworm", want: "amd64 s390x", proxyAsked: true},
		{name: "proxy with a path", proxy: "http://" + mirror.host + "/mirror/", image: "docker.io/fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "amd64 arm64v8", proxyAsked: true},
		{name: "proxy lacks it: Docker Hub", proxy: "http://" + proxy.host, image: "fixture/hubonly:1", wantRef: "docker.io/fixture/hubonly:1", want: "riscv64", proxyAsked: true, hubAsked: true},
		{name: "proxy down: Docker Hub", proxy: "http://" + down, image: "fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "ppc64le", hubAsked: true},
		{name: "https proxy is asked over TLS", proxy: "https://" + proxy.host, image: "fixture/img:1", wantRef: "docker.io/fixture/img:1", want: "ppc64le", hubAsked: true},
		{name: "other registries are not proxied", proxy: "http://" + proxy.host, image: other.host + "/fixture/img:1", wantRef: other.host + "/fixture/img:1", want: "arm32v7"},
		{name: "neither has it: 404", proxy: "http://" + proxy.host, image: "fixture/img:2", wantErr: true, want: "MANIFEST_UNKNOWN", notFound: true, proxyAsked: true, hubAsked: true},
		{name: "proxy down, Docker Hub lacks it: the proxy's error", proxy: "http://" + down, image: "fixture/nowhere:1", wantErr: true, want: "connection refused", hubAsked: true},
		{name: "proxy lacks it, Docker Hub down: Docker Hub's error", proxy: "http://" + proxy.host, image: "fixture/nowhere:1", hubDown: true, wantErr: true, want: "connection refused", proxyAsked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hubHost := hub.host
			if tt.hubDown {
				hubHost = down
			}
			r, err := New(WithDockerHubProxy(tt.proxy),
				WithRemote(remote.WithAuthFromKeychain(hubKeychain{}), remote.WithTransport(registrytest.DockerHub(hubHost)), remote.WithRetryBackoff(remote.Backoff{Steps: 1})))
			if err != nil {
				t.Fatal(err)
			}
			proxy.take()
			mirror.take()
			hub.take()
			img, err := r.Resolve(t.Context(), tt.image)
			proxyReqs, hubReqs := append(proxy.take(), mirror.take()...), hub.take()
			switch {
			case tt.wantErr:
				var terr *transport.Error
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Resolve(%s) = %v, want an error with %q", tt.image, err, tt.want)
				}
				if got := errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound; got != tt.notFound {
					t.Errorf("error %v: a 404 %v, want %v", err, got, tt.notFound)
				}
			case err != nil:
				t.Fatalf("Resolve(%s): %v", tt.image, err)
			default:
				if got := strings.Join(slices.Sorted(maps.Keys(img.Arches)), " "); got != tt.want || img.Ref != tt.wantRef {
					t.Errorf("Resolve(%s) = %s, %s; want %s, %s", tt.image, img.Ref, got, tt.wantRef, tt.want)
				}
			}
			if (len(proxyReqs) > 0) != tt.proxyAsked || (len(hubReqs) > 0) != tt.hubAsked {
				t.Errorf("proxy asked %d times, Docker Hub %d; want proxy %v, hub %v", len(proxyReqs), len(hubReqs), tt.proxyAsked, tt.hubAsked)
			}
			for _, req := range proxyReqs {
				if req.URL.Query().Get("ns") != "docker.io" || req.Header.Get("Authorization") != "" {
					t.Errorf("proxy asked %s with Authorization %q; want ns=docker.io and no credentials", req.URL, req.Header.Get("Authorization"))
				}
			}
		})
	}
}

func TestDockerHubProxyOption(t *testing.T) {
	for proxy, ok := range map[string]bool{
		"":                           true,
		"http://127.0.0.1:5000":      true,
		"https://mirror.example/hub": true,
		"127.0.0.1:5000":             false,
		"localhost:5000":             false,
		"ftp://mirror.example":       false,
		"http://":                    false,
		"http://mirror.example/?a=b": false,
		"http://[::1":                false,
	} {
		if _, err := New(WithDockerHubProxy(proxy)); (err == nil) != ok {
			t.Errorf("New(WithDockerHubProxy(%q)): %v; want ok %v", proxy, err, ok)
		}
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil): no error")
	}
}
