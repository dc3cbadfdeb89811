package imagediff

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/publish"
)

// faultyRegistry is an in-process registry that, once faulty is set,
// answers each distinct GET or HEAD with 503 the first time.
type faultyRegistry struct {
	host   string
	faulty atomic.Bool
	mu     sync.Mutex
	seen   map[string]bool
	faults atomic.Int32
}

func newFaultyRegistry(t *testing.T) *faultyRegistry {
	t.Helper()
	f := &faultyRegistry{seen: map[string]bool{}}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		f.mu.Lock()
		first := !f.seen[key] && r.URL.Path != "/v2/"
		f.seen[key] = true
		f.mu.Unlock()
		if f.faulty.Load() && first {
			f.faults.Add(1)
			http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}`, http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.host = strings.TrimPrefix(srv.URL, "http://")
	return f
}

func TestFetch(t *testing.T) {
	t.Parallel()
	reg := newFaultyRegistry(t)
	images := map[string]v1.Image{}
	idx := v1.ImageIndex(empty.Index)
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 2)
		if err != nil {
			t.Fatal(err)
		}
		images[arch] = img
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	ref := reg.host + "/library/busybox:latest"
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	reg.faulty.Store(true)
	opts := []FetchOption{WithKeychain(authn.NewMultiKeychain()), WithRetryPolicy(publish.RetryPolicy{Backoff: time.Millisecond})}

	fetch := func(p ocispec.Platform) (v1.Image, v1.Hash) {
		img, d, err := Fetch(t.Context(), ref, p, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return img, d
	}
	arm, armDigest := fetch(ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"})
	if want, _ := images["arm64"].Digest(); armDigest != want {
		t.Errorf("linux/arm64/v8 fetched %s, want %s", armDigest, want)
	}
	amd, _ := fetch(ocispec.Platform{OS: "linux", Architecture: "amd64"})
	r, err := Compare(t.Context(), arm, amd)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Differs || len(r.Layers) != 2 || len(r.Files) != 4 {
		t.Errorf("arm64 vs amd64: %+v, want two differing layers, each a file removed and another added", r)
	}
	if reg.faults.Load() == 0 {
		t.Error("no fault injected")
	}

	if _, _, err := Fetch(t.Context(), ref, ocispec.Platform{OS: "linux", Architecture: "s390x"}, opts...); err == nil || !strings.Contains(err.Error(), "no image for linux/s390x") {
		t.Errorf("s390x: %v, want no image", err)
	}
	if _, _, err := Fetch(t.Context(), "Not A Ref", ocispec.Platform{}, opts...); err == nil {
		t.Error("a bad reference fetched")
	}
}
