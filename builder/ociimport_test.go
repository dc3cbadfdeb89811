package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// writeLayout writes an OCI layout holding one random image for arch.
func writeLayout(t *testing.T, arch string, images int) (string, v1.Image) {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	var img v1.Image
	for range images {
		img, err = random.Image(128, 2)
		if err != nil {
			t.Fatal(err)
		}
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture = "linux", arch
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(img); err != nil {
			t.Fatal(err)
		}
	}
	return dir, img
}

func TestLayoutImage(t *testing.T) {
	dir, img := writeLayout(t, "s390x", 1)
	got, err := layoutImage(dir, "index.json", "s390x")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := digestOf(t, got), digestOf(t, img); a != b {
		t.Errorf("digest %s, want %s", a, b)
	}
	if _, err := layoutImage(dir, "index.json", "amd64"); err == nil || !strings.Contains(err.Error(), "the image is for linux/s390x, not amd64") {
		t.Errorf("wrong arch: %v", err)
	}

	two, _ := writeLayout(t, "amd64", 2)
	if _, err := layoutImage(two, "index.json", "amd64"); err == nil || !strings.Contains(err.Error(), "exactly one manifest") {
		t.Errorf("two manifests: %v", err)
	}

	// a layer whose bytes no longer match its digest
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	blob := filepath.Join(dir, "blobs", "sha256", ld.Hex)
	if err := os.WriteFile(blob, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := layoutImage(dir, "index.json", "s390x"); err == nil {
		t.Error("a tampered layer passed")
	}

	os.WriteFile(filepath.Join(two, "oci-layout"), []byte(`{"imageLayoutVersion":"2.0.0"}`), 0o644)
	if _, err := layoutImage(two, "index.json", "amd64"); err == nil || !strings.Contains(err.Error(), "imageLayoutVersion") {
		t.Errorf("bad layout version: %v", err)
	}
}

func digestOf(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}
