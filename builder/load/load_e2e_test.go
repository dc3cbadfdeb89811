package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/load"
)

// store is an image store a test starts for itself: env finds it, and
// platform says the platform of the image it has under a full reference.
type store struct {
	name     string
	want     string // what the Loader's String starts with
	start    func(t *testing.T) (env map[string]string, platform func(t *testing.T, ref string) string)
	notFound string // what a load of something not a tarball says
}

var stores = []store{
	{"containerd", "containerd 1.6", startContainerd, "containerd image import: "},
	{"docker", "the Docker engine at unix://", startDockerd, "docker image load: "},
}

// startContainerd: no Docker engine answers, a containerd does.
func startContainerd(t *testing.T) (map[string]string, func(*testing.T, string) string) {
	ctd := farmtest.StartContainerd(t)
	const ns = "brewkit-load"
	env := map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(t.TempDir(), "none.sock"),
		"CONTAINERD_ADDRESS": ctd.Address, "CONTAINERD_NAMESPACE": ns}
	cl := ctd.Client(t, ns)
	return env, func(t *testing.T, ref string) string {
		ctx, cs := t.Context(), cl.ContentStore()
		img, err := cl.ImageService().Get(ctx, ref)
		if err != nil {
			t.Fatalf("%s in containerd: %v", ref, err)
		}
		m, err := images.Manifest(ctx, cs, img.Target, platforms.All)
		if err != nil {
			t.Fatal(err)
		}
		data, err := content.ReadBlob(ctx, cs, m.Config)
		if err != nil {
			t.Fatal(err)
		}
		var cfg ocispec.Image
		if err := json.Unmarshal(data, &cfg); err != nil {
			t.Fatal(err)
		}
		return platforms.FormatAll(cfg.Platform)
	}
}

// startDockerd: a Docker engine answers, and a containerd too (its own),
// which Find does not choose.
func startDockerd(t *testing.T) (map[string]string, func(*testing.T, string) string) {
	ctd := farmtest.StartContainerd(t)
	engine := farmtest.StartDockerd(t, ctd)
	env := map[string]string{"DOCKER_HOST": engine.Host, "CONTAINERD_ADDRESS": ctd.Address}
	return env, func(t *testing.T, ref string) string {
		var img struct{ Os, Architecture, Variant string }
		engine.Get(t, "/images/"+ref+"/json", &img)
		return platforms.FormatAll(ocispec.Platform{OS: img.Os, Architecture: img.Architecture, Variant: img.Variant})
	}
}

// archive is a docker-archive, as `docker save` writes it, of a random
// linux/arm64/v8 image of one 1 MiB layer named by refs.
func archive(t *testing.T, refs ...string) []byte {
	img, err := random.Image(1<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = "linux", "arm64", "v8"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	m := map[name.Reference]v1.Image{}
	for _, r := range refs {
		tag, err := name.NewTag(r)
		if err != nil {
			t.Fatal(err)
		}
		m[tag] = img
	}
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(m, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// loadBytes loads data through l with ctx and returns Close's error.
func loadBytes(ctx context.Context, l load.Loader, data []byte) error {
	w, err := l.Load(ctx)
	if err != nil {
		return err
	}
	_, werr := w.Write(data)
	return errors.Join(w.Close(), werr)
}

// TestE2ELoadStores loads a foreign-arch (arm64) docker-archive into a
// real containerd and a real Docker engine, each started for the test:
// Find finds the store (the engine before containerd when both answer),
// the image is there under its full references, still arm64; what is not
// a tarball is refused; a cancelled load ends.
func TestE2ELoadStores(t *testing.T) {
	refs := []string{"docker.io/library/loadtest:1.0", "docker.io/library/loadtest:latest"}
	data := archive(t, refs...)
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			env, platform := s.start(t)
			l, err := load.Find(t.Context(), func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(l.String(), s.want) {
				t.Fatalf("found %s, want %s...", l, s.want)
			}
			if c, ok := l.(io.Closer); ok {
				t.Cleanup(func() { c.Close() })
			}
			var took []time.Duration
			for range 5 {
				start := time.Now()
				if err := loadBytes(t.Context(), l, data); err != nil {
					t.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			t.Logf("%s: loading a %d KiB archive took %s (median of %d; %s to %s)", l, len(data)>>10, took[len(took)/2], len(took), took[0], took[len(took)-1])
			for _, ref := range refs {
				if got := platform(t, ref); got != "linux/arm64/v8" {
					t.Errorf("%s: %s, want linux/arm64/v8", ref, got)
				}
			}

			if err := loadBytes(t.Context(), l, []byte("not a tarball")); err == nil || !strings.HasPrefix(err.Error(), s.notFound) {
				t.Errorf("loading what is not a tarball: %v, want an error from the store", err)
			}

			ctx, cancel := context.WithCancel(t.Context())
			w, err := l.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(data[:len(data)/2]); err != nil {
				t.Fatal(err)
			}
			cancel()
			done := make(chan error, 1)
			go func() { done <- w.Close() }()
			select {
			case err := <-done:
				if err == nil {
					t.Error("a cancelled load of half a tarball succeeded")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("a cancelled load did not end in 10s")
			}
		})
	}
}
