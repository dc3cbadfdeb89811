package sourcetest_test

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/brewkit/brewkit/builder/sourcetest"
)

func TestOCILayout(t *testing.T) {
	files := map[string]string{"bin/busybox": "\x7fELF not really", "etc/motd": "hello\n"}
	tests := []struct {
		arch                  string
		architecture, variant string
	}{
		{"amd64", "amd64", ""},
		{"arm64v8", "arm64", "v8"},
		{"s390x", "s390x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.arch, func(t *testing.T) {
			tree, digest := sourcetest.OCILayout(t, tt.arch, files)
			if again, d := sourcetest.OCILayout(t, tt.arch, files); d != digest || !cmp.Equal(again, tree) {
				t.Errorf("OCILayout is not reproducible: %s, then %s", digest, d)
			}
			dir := writeTree(t, tree)
			desc := onlyManifest(t, dir)
			if desc.Digest.String() != digest || desc.MediaType != types.OCIManifestSchema1 {
				t.Errorf("index.json lists %s (%s), want %s (%s)", desc.Digest, desc.MediaType, digest, types.OCIManifestSchema1)
			}
			p, err := layout.FromPath(dir)
			if err != nil {
				t.Fatal(err)
			}
			img, err := p.Image(desc.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Fatalf("the layout's image does not validate: %v", err)
			}
			checkImage(t, img, tt.architecture, tt.variant, files)
		})
	}
}

// writeTree writes tree (path -> content) under a new directory.
func writeTree(t *testing.T, tree map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range tree {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// onlyManifest returns the one manifest of the layout in dir.
func onlyManifest(t *testing.T, dir string) v1.Descriptor {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	if idx.SchemaVersion != 2 || len(idx.Manifests) != 1 {
		t.Fatalf("index.json: schemaVersion %d, %d manifests; want 2 and one", idx.SchemaVersion, len(idx.Manifests))
	}
	return idx.Manifests[0]
}

// checkImage checks img's media types, platform and the files of its one
// layer.
func checkImage(t *testing.T, img v1.Image, architecture, variant string, files map[string]string) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != architecture || cfg.Variant != variant {
		t.Errorf("config platform %s/%s/%s, want linux/%s/%s", cfg.OS, cfg.Architecture, cfg.Variant, architecture, variant)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest config %s, layers %+v; want %s and one %s", m.Config.MediaType, m.Layers, types.OCIConfigJSON, types.OCILayer)
	}
	got := map[string]string{}
	modes := map[string]int64{}
	tr := tar.NewReader(mutate.Extract(img))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			data, _ := io.ReadAll(tr)
			got[h.Name], modes[h.Name] = string(data), h.Mode
		}
	}
	if diff := cmp.Diff(files, got); diff != "" {
		t.Errorf("layer files (-want +got):\n%s", diff)
	}
	if modes["bin/busybox"] != 0o755 || modes["etc/motd"] != 0o644 {
		t.Errorf("modes %v, want bin/busybox 0755 (493) and etc/motd 0644 (420)", modes)
	}
}
