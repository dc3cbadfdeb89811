package builder

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/sourcetest"
)

// commitLayout commits files (paths of a layout, under img/) and returns
// img as a gitsource.Dir.
func commitLayout(t *testing.T, files map[string]any) *gitsource.Dir {
	t.Helper()
	c, _ := treeCommit(t, sourcetest.Dir("img", sourcetest.Files(files)...))
	dir, err := c.Dir(context.Background(), "img")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func anyFiles(files map[string]string) map[string]any {
	out := make(map[string]any, len(files))
	for k, v := range files {
		out[k] = v
	}
	return out
}

// TestLayoutImage reads layouts as committed: plain (blobs as files) and
// busybox-shaped (blobs as symlinks), through index.json or a descriptor,
// and refuses the wrong ones. Hostile layouts are in TestHostileSources.
func TestLayoutImage(t *testing.T) {
	t.Parallel()
	plain, plainDigest := sourcetest.OCILayout(t, "s390x", map[string]string{"hello": "hello\n"})
	busybox, busyboxDigest := sourcetest.BusyboxLayout(t, "arm64v8", map[string]string{"hello": "hello\n"})
	var idx struct{ Manifests []json.RawMessage }
	if err := json.Unmarshal([]byte(plain["index.json"]), &idx); err != nil {
		t.Fatal(err)
	}
	withDescriptor := anyFiles(plain)
	withDescriptor["image.json"] = string(idx.Manifests[0])
	twoManifests := anyFiles(plain)
	twoManifests["index.json"] = `{"schemaVersion":2,"manifests":[` + string(idx.Manifests[0]) + "," + string(idx.Manifests[0]) + "]}"
	badVersion := anyFiles(plain)
	badVersion["oci-layout"] = `{"imageLayoutVersion":"2.0.0"}`
	for _, tc := range []struct {
		name, file, arch string
		files            map[string]any
		digest, wantErr  string
	}{
		{name: "plain", file: "index.json", arch: "s390x", files: anyFiles(plain), digest: plainDigest},
		{name: "busybox-shaped", file: "index.json", arch: "arm64v8", files: busybox, digest: busyboxDigest},
		{name: "descriptor", file: "image.json", arch: "s390x", files: withDescriptor, digest: plainDigest},
		{name: "wrong arch", file: "index.json", arch: "amd64", files: anyFiles(plain), wantErr: "the image is for linux/s390x, not amd64"},
		{name: "two manifests", file: "index.json", arch: "s390x", files: twoManifests, wantErr: "exactly one manifest"},
		{name: "layout version", file: "index.json", arch: "s390x", files: badVersion, wantErr: "imageLayoutVersion"},
		{name: "no layout", file: "index.json", arch: "s390x", files: map[string]any{"index.json": plain["index.json"]}, wantErr: "not an OCI image layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img, err := layoutImage(context.Background(), commitLayout(t, tc.files), tc.file, tc.arch)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d, err := img.Digest(); err != nil || d.String() != tc.digest {
				t.Errorf("digest %v (%v), want the committed %s", d, err, tc.digest)
			}
		})
	}
}

func digestOf(t *testing.T, img interface{ Digest() (v1.Hash, error) }) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}
