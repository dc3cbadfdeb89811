package sourcetest

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BusyboxLayout is an OCI image layout of one image for arch (as
// [OCILayout] makes it) shaped as the real library/busybox keeps its
// layouts on its dist-ARCH branches: the manifest, config and layer are
// the files image-manifest.json, image-config.json and rootfs.tar.gz, and
// blobs/sha256/DIGEST are symlinks to them ("../../image-manifest.json").
// The keys are paths in the layout; values are contents, or a [Link]. It
// returns the manifest's digest too.
func BusyboxLayout(t testing.TB, arch string, files map[string]string) (map[string]any, string) {
	t.Helper()
	img, err := ociImage(arch, files)
	if err != nil {
		t.Fatalf("BusyboxLayout(%q): %v", arch, err)
	}
	manifest, err1 := img.RawManifest()
	config, err2 := img.RawConfigFile()
	d, err3 := img.Digest()
	m, err4 := img.Manifest()
	layers, err5 := img.Layers()
	if err := firstError(err1, err2, err3, err4, err5); err != nil {
		t.Fatalf("BusyboxLayout(%q): %v", arch, err)
	}
	rootfs := readLayer(t, layers[0].Compressed)
	index, err := json.MarshalIndent(ocispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex,
		Manifests: []ocispec.Descriptor{{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.Digest(d.String()), Size: int64(len(manifest))}},
	}, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"oci-layout":                             `{"imageLayoutVersion":"1.0.0"}`,
		"index.json":                             string(index),
		"image-manifest.json":                    string(manifest),
		"image-config.json":                      string(config),
		"rootfs.tar.gz":                          string(rootfs),
		"blobs/sha256/" + d.Hex:                  Link("", "../../image-manifest.json"),
		"blobs/sha256/" + m.Config.Digest.Hex:    Link("", "../../image-config.json"),
		"blobs/sha256/" + m.Layers[0].Digest.Hex: Link("", "../../rootfs.tar.gz"),
	}, d.String()
}

func readLayer(t testing.TB, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
