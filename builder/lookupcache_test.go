package builder

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// A registry stage with a LookupCache asks the registry once per build
// id it found staged (or staged itself), and always about one it did
// not find; entries older than MaxAge are asked about again.
func TestLookupCache(t *testing.T) {
	t.Parallel()
	var heads atomic.Int64
	reg := registry.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/") {
			heads.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	pushImage(t, host+"/staging-amd64:found", "amd64")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		maxAge time.Duration
		heads  int64 // of 3 rounds of lookups of found, written and missing
	}{
		{"trusted", time.Hour, 1 + 3},           // found once; missing each time
		{"expired", time.Nanosecond, 3 + 3 + 3}, // every lookup asks
	} {
		cache, err := NewLookupCache(16, tc.maxAge)
		if err != nil {
			t.Fatal(err)
		}
		st := &registryStage{prefix: host + "/staging", reg: NewRegistry(), found: cache}
		written, err := st.write(t.Context(), "amd64", "written-"+tc.name, img)
		if err != nil {
			t.Fatal(err)
		}
		heads.Store(0)
		for range 3 {
			for _, id := range []string{"found", "written-" + tc.name, "missing"} {
				res, ok, err := st.lookup(t.Context(), "amd64", id)
				switch {
				case err != nil:
					t.Fatalf("%s: lookup %s: %v", tc.name, id, err)
				case ok != (id != "missing"):
					t.Errorf("%s: lookup %s found %v", tc.name, id, ok)
				case ok && (!res.UpToDate || res.BuildID != id || !strings.HasPrefix(res.Ref, host+"/staging-amd64@sha256:")):
					t.Errorf("%s: lookup %s = %+v", tc.name, id, res)
				case strings.HasPrefix(id, "written") && res.Digest != written.Digest:
					t.Errorf("%s: lookup %s = %s, want the written %s", tc.name, id, res.Digest, written.Digest)
				}
			}
		}
		if n := heads.Load(); n != tc.heads {
			t.Errorf("%s: %d HEADs, want %d", tc.name, n, tc.heads)
		}
	}
	if _, err := NewLookupCache(0, time.Hour); err == nil {
		t.Error("NewLookupCache(0, time.Hour) succeeded")
	}
}
