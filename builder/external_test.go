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
