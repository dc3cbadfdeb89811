package builder

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

func TestExternalsResolveOncePerRefAndArch(t *testing.T) {
	var gets atomic.Int32
	reg := registry.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
			gets.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	pushImage(t, host+"/base:1", "amd64")
	var x externals
	r := NewRegistry()
	for range 5 {
		if _, _, err := x.resolve(context.Background(), r, host+"/base:1", "amd64"); err != nil {
			t.Fatal(err)
		}
	}
	if n := gets.Load(); n != 1 {
		t.Errorf("%d manifest GETs for five resolutions of one ref and arch, want 1", n)
	}
	if _, _, err := x.resolve(context.Background(), r, host+"/base:1", "arm64v8"); err == nil {
		t.Error("an amd64 image resolved for arm64v8")
	}
	if _, _, err := x.resolve(context.Background(), r, host+"/base:nope", "amd64"); err == nil {
		t.Error("a missing tag resolved")
	}
}

// A job whose context ends while the lookup it started is running fails
// no other job waiting for the same lookup.
func TestExternalsSharedLookupOutlivesItsFirstCaller(t *testing.T) {
	reg := registry.New()
	started, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") && once.CompareAndSwap(false, true) {
			close(started)
			<-release
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	pushImage(t, host+"/base:1", "amd64")
	var x externals
	r := NewRegistry()
	first, cancelFirst := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() { _, _, err := x.resolve(first, r, host+"/base:1", "amd64"); firstErr <- err }()
	<-started
	second := make(chan error, 1)
	go func() { _, _, err := x.resolve(context.Background(), r, host+"/base:1", "amd64"); second <- err }()
	cancelFirst()
	if err := <-firstErr; err == nil {
		t.Error("the cancelled caller got an answer")
	}
	close(release)
	if err := <-second; err != nil {
		t.Errorf("the waiting caller failed with the first caller's cancellation: %v", err)
	}
}
