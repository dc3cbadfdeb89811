package builder

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry serves go-containerregistry's in-memory registry and
// returns its host.
func testRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New())
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func pushImage(t *testing.T, ref string, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustRef(t, ref), img); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestRegistryPlatformManifest(t *testing.T) {
	host := testRegistry(t)
	amd := pushImage(t, host+"/base:amd64", "amd64")
	arm := pushImage(t, host+"/base:arm64", "arm64")
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, "application/vnd.oci.image.index.v1+json"),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}},
	)
	if err := remote.WriteIndex(mustRef(t, host+"/base:latest"), idx); err != nil {
		t.Fatal(err)
	}
	armDigest, _ := arm.Digest()
	amdDigest, _ := amd.Digest()
	r := NewRegistry()
	ctx := context.Background()
	tests := []struct {
		ref, arch, want, err string
	}{
		{host + "/base:latest", "arm64v8", host + "/base@" + armDigest.String(), ""},
		{host + "/base:latest", "amd64", host + "/base@" + amdDigest.String(), ""},
		{host + "/base:latest", "s390x", "", "no manifest for s390x in the index"},
		{host + "/base:amd64", "amd64", host + "/base@" + amdDigest.String(), ""},
		{host + "/base:amd64", "arm64v8", "", "the image is linux/amd64, not arm64v8"},
		{host + "/base:nope", "amd64", "", "MANIFEST_UNKNOWN"},
	}
	for _, tt := range tests {
		pinned, _, err := r.PlatformManifest(ctx, tt.ref, tt.arch)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("PlatformManifest(%s, %s) error %v, want %q", tt.ref, tt.arch, err, tt.err)
			}
			continue
		}
		if err != nil || pinned != tt.want {
			t.Errorf("PlatformManifest(%s, %s) = %s, %v; want %s", tt.ref, tt.arch, pinned, err, tt.want)
		}
	}
	if d, err := r.Lookup(ctx, host+"/base:nope"); d != nil || err != nil {
		t.Errorf("Lookup of a missing tag: %v, %v", d, err)
	}
	if d, err := r.Lookup(ctx, host+"/base:amd64"); err != nil || d.Digest != amdDigest {
		t.Errorf("Lookup: %v, %v", d, err)
	}
}

func mustRef(t *testing.T, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A Reusing Registry pings the registry once for all its lookups in a
// repository; a plain one pings for each.
func TestRegistryReusing(t *testing.T) {
	t.Parallel()
	var pings atomic.Int64
	reg := registry.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			pings.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	img := pushImage(t, host+"/staging-amd64:b1", "amd64")
	want, _ := img.Digest()
	reusing, err := NewRegistry().Reusing()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		r     *Registry
		pings int64 // for 10 lookups
	}{{"plain", NewRegistry(), 10}, {"reusing", reusing, 1}} {
		pings.Store(0)
		for i := range 10 {
			ref := host + "/staging-amd64:b1"
			if i%2 == 1 {
				ref = host + "/staging-amd64:missing"
			}
			desc, err := tc.r.Lookup(t.Context(), ref)
			switch {
			case err != nil:
				t.Fatalf("%s: Lookup(%s): %v", tc.name, ref, err)
			case i%2 == 0 && (desc == nil || desc.Digest != want):
				t.Errorf("%s: Lookup(%s) = %v, want %s", tc.name, ref, desc, want)
			case i%2 == 1 && desc != nil:
				t.Errorf("%s: Lookup(%s) = %v, want none", tc.name, ref, desc)
			}
		}
		if n := pings.Load(); n != tc.pings {
			t.Errorf("%s: %d pings for 10 lookups, want %d", tc.name, n, tc.pings)
		}
	}
}
