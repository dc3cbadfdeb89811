package load_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/brewkit/brewkit/builder/load"
)

// stagedImage pushes a random OCI image of layers 64 KiB layers, with a
// manifest annotation, to a registry served by handler wrapped in wrap,
// and returns it as read back from there (its blobs read when asked for).
func stagedImage(t *testing.T, layers int64, wrap func(http.Handler) http.Handler) v1.Image {
	t.Helper()
	img, err := random.Image(64<<10, layers)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(mutate.ConfigMediaType(img, types.OCIConfigJSON), types.OCIManifestSchema1)
	img = mutate.Annotations(img, map[string]string{"org.opencontainers.image.version": "1.0"}).(v1.Image)
	srv := httptest.NewServer(wrap(registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(srv.Close)
	ref, err := name.ParseReference(strings.TrimPrefix(srv.URL, "http://") + "/staging-arm64v8:BUILDID")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func noWrap(h http.Handler) http.Handler { return h }

// TestWriteImage writes a staged image as a load tarball and reads it
// back as an OCI layout and as a docker-archive: both have the image
// under each name, with its digests.
func TestWriteImage(t *testing.T) {
	t.Parallel()
	img := stagedImage(t, 3, noWrap)
	names := []string{"docker.io/library/foo:1.0", "docker.io/library/foo:latest", "127.0.0.1:5000/ns/bar:2"}
	var buf bytes.Buffer
	if err := load.WriteImage(t.Context(), &buf, img, names); err != nil {
		t.Fatal(err)
	}
	want := digests(t, img)

	dir := untar(t, buf.Bytes())
	lp, im := readLayout(t, dir)
	var gotNames, gotRefs []string
	for _, d := range im.Manifests {
		if d.Digest.String() != want[0] || d.MediaType != types.OCIManifestSchema1 {
			t.Errorf("index.json: %s %s, want %s %s", d.MediaType, d.Digest, types.OCIManifestSchema1, want[0])
		}
		if v := d.Annotations["org.opencontainers.image.version"]; v != "1.0" {
			t.Errorf("index.json: descriptor annotations %v lack the manifest's", d.Annotations)
		}
		gotNames = append(gotNames, d.Annotations[load.AnnotationImageName])
		gotRefs = append(gotRefs, d.Annotations[load.AnnotationRefName])
	}
	if diff := cmp.Diff(names, gotNames); diff != "" {
		t.Errorf("index.json names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1.0", "latest", "2"}, gotRefs); diff != "" {
		t.Errorf("index.json ref names (-want +got):\n%s", diff)
	}
	fromLayout, err := lp.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, digests(t, fromLayout)); diff != "" {
		t.Errorf("OCI layout image digests (-staged +layout):\n%s", diff)
	}

	for _, n := range names {
		tag, err := name.NewTag(n)
		if err != nil {
			t.Fatal(err)
		}
		fromArchive, err := tarball.Image(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }, &tag)
		if err != nil {
			t.Fatalf("docker-archive %s: %v", n, err)
		}
		got := digests(t, fromArchive)
		if diff := cmp.Diff(want[1:], got[1:]); diff != "" { // manifest.json has no manifest: config and layers
			t.Errorf("docker-archive %s digests (-staged +archive):\n%s", n, diff)
		}
	}
}

// digests are img's manifest, config and layer digests, each layer's
// read and checked.
func digests(t *testing.T, img v1.Image) []string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{d.String(), cfg.String()}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		ld, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatalf("layer %s: %v", ld, err)
		}
		rc.Close()
		out = append(out, ld.String())
	}
	return out
}

// untar extracts data into a new directory.
// readLayout opens the OCI layout in dir and reads its index.json.
func readLayout(t *testing.T, dir string) (layout.Path, *v1.IndexManifest) {
	t.Helper()
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	return lp, im
}

func untar(t *testing.T, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// entries are the names in the tarball data, up to where it ends or is
// cut short.
func entries(data []byte) []string {
	var out []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			return out
		}
		out = append(out, h.Name)
	}
}

// TestWriteImageFails: a layer the registry refuses, or cuts short, fails
// the write, and what was written names no image (no index.json nor
// manifest.json) for a store to take.
func TestWriteImageFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request, next http.Handler)
	}{
		{"refused", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
			http.Error(w, "denied", http.StatusForbidden)
		}},
		{"cut short", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			w.Header().Set("Content-Length", rec.Header().Get("Content-Length"))
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes()[:rec.Body.Len()/2])
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				c.Close()
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var target atomic.Value // the last layer's blob path, once known
			target.Store("")
			img := stagedImage(t, 2, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if p := target.Load().(string); p != "" && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, p) {
						tc.fail(w, r, next)
						return
					}
					next.ServeHTTP(w, r)
				})
			})
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			target.Store("/blobs/" + m.Layers[1].Digest.String())
			var buf bytes.Buffer
			err = load.WriteImage(t.Context(), &buf, img, []string{"docker.io/library/foo:1.0"})
			if err == nil || !strings.Contains(err.Error(), m.Layers[1].Digest.String()) {
				t.Errorf("WriteImage: %v, want an error naming layer %s", err, m.Layers[1].Digest)
			}
			for _, e := range entries(buf.Bytes()) {
				if e == "index.json" || e == "manifest.json" {
					t.Errorf("a tarball cut short has %s", e)
				}
			}
		})
	}
}

// TestWriteImageNames: the names as containerd's archive exporter writes
// them, and those it cannot write.
func TestWriteImageNames(t *testing.T) {
	t.Parallel()
	img := stagedImage(t, 1, noWrap)
	for _, tc := range []struct {
		name, want, ref, repoTag string // want: the error, if any
	}{
		{name: "docker.io/library/foo:1.0", ref: "1.0", repoTag: "foo:1.0"},
		{name: "foo", ref: "latest", repoTag: "foo:latest"},
		{name: "docker.io/ns/foo:2", ref: "2", repoTag: "ns/foo:2"},
		{name: "127.0.0.1:5000/foo:3", ref: "3", repoTag: "127.0.0.1:5000/foo:3"},
		{name: "Foo:1", want: `image name "Foo:1": `},
		{name: "foo@sha256:" + strings.Repeat("0", 64), want: "want a tag, not a digest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := load.WriteImage(t.Context(), &buf, img, []string{tc.name})
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%v, want an error saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, im := readLayout(t, untar(t, buf.Bytes()))
			if got := im.Manifests[0].Annotations[load.AnnotationRefName]; got != tc.ref {
				t.Errorf("ref name %q, want %q", got, tc.ref)
			}
			mf, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(mf) != 1 || len(mf[0].RepoTags) != 1 || mf[0].RepoTags[0] != tc.repoTag {
				t.Errorf("manifest.json %+v, want RepoTags [%s]", mf, tc.repoTag)
			}
		})
	}
}
