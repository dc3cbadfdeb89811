package builder

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/scheduler"
)

// buildIDs are valid build ids (hex digests) for the tests.
var buildIDs = func() []string {
	var ids []string
	for _, s := range []string{"a", "b", "c", "d"} {
		ids = append(ids, scheduler.BuildID(s, "amd64", nil))
	}
	return ids
}()

// randomImage returns an OCI image whose config says linux/goarch.
func randomImage(t *testing.T, goarch string) v1.Image {
	t.Helper()
	img, err := random.Image(64, 2)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.ConfigMediaType(mutate.MediaType(img, types.OCIManifestSchema1), types.OCIConfigJSON)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", goarch
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	return img
}

func openLayout(t *testing.T) *Layout {
	t.Helper()
	l, err := OpenLayout(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestOpenLayout(t *testing.T) {
	l := openLayout(t)
	idx, err := layout.ImageIndexFromPath(l.Dir())
	if err != nil {
		t.Fatalf("a new layout is not an OCI layout: %v", err)
	}
	if m, err := idx.IndexManifest(); err != nil || len(m.Manifests) != 0 {
		t.Errorf("a new layout's index: %v, %v; want no manifests", m, err)
	}
	if _, err := OpenLayout(l.Dir()); err != nil {
		t.Errorf("reopening: %v", err)
	}
	if err := os.WriteFile(filepath.Join(l.Dir(), "oci-layout"), []byte(`{"imageLayoutVersion":"2.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLayout(l.Dir()); err == nil || !strings.Contains(err.Error(), "imageLayoutVersion") {
		t.Errorf("a layout of another version: %v, want an imageLayoutVersion error", err)
	}
}

func TestLayoutLookup(t *testing.T) {
	ctx := t.Context()
	l := openLayout(t)
	img := randomImage(t, "arm64")
	res, err := l.write(ctx, "arm64v8", buildIDs[0], img)
	if err != nil {
		t.Fatal(err)
	}
	want := scheduler.Result{Ref: "oci-layout://" + l.Dir() + "@" + digestOf(t, img), Digest: digestOf(t, img), BuildID: buildIDs[0]}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("write (-want +got):\n%s", diff)
	}

	got, found, err := l.lookup(ctx, "arm64v8", buildIDs[0])
	want.UpToDate = true
	if diff := cmp.Diff(want, got); err != nil || !found || diff != "" {
		t.Errorf("lookup of a written build: found %v, %v (-want +got):\n%s", found, err, diff)
	}
	if _, found, err := l.lookup(ctx, "arm64v8", buildIDs[1]); found || err != nil {
		t.Errorf("lookup of another build: found %v, %v; want not found", found, err)
	}
	if _, _, err := l.lookup(ctx, "arm64v8", "../../etc/passwd"); err == nil {
		t.Error("lookup of a build id that is a path: no error")
	}

	// A record whose blobs are gone is no build: it is built again.
	layers, _ := img.Layers()
	ld, _ := layers[1].Digest()
	if err := os.Remove(filepath.Join(l.Dir(), "blobs", "sha256", ld.Hex)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := l.lookup(ctx, "arm64v8", buildIDs[0]); found || err != nil {
		t.Errorf("lookup of a build missing a layer: found %v, %v; want not found", found, err)
	}
}

func TestLayoutCommit(t *testing.T) {
	ctx := t.Context()
	l := openLayout(t)
	img := randomImage(t, "amd64")
	if err := layout.Path(l.Dir()).WriteImage(img); err != nil { // as BuildKit's exporter would
		t.Fatal(err)
	}
	raw, _ := img.RawManifest()
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(raw), Size: int64(len(raw)),
		Annotations: map[string]string{"org.opencontainers.image.revision": "c0ffee"}}
	data, _ := json.Marshal(desc)
	resp := map[string]string{exptypes.ExporterImageDescriptorKey: base64.StdEncoding.EncodeToString(data)}
	res, err := l.commit(ctx, "amd64", buildIDs[2], resp)
	if err != nil || res.Digest != desc.Digest.String() {
		t.Fatalf("commit: %+v, %v; want digest %s", res, err, desc.Digest)
	}
	rec, ok, err := l.record(buildIDs[2])
	desc.Platform = &ocispec.Platform{OS: "linux", Architecture: "amd64"}
	if diff := cmp.Diff(desc, rec); err != nil || !ok || diff != "" {
		t.Errorf("record: %v, %v (-want +got):\n%s", ok, err, diff)
	}
	if _, err := l.commit(ctx, "amd64", buildIDs[3], map[string]string{}); err == nil {
		t.Error("commit of a response with no descriptor: no error")
	}
}

func TestLayoutSolveOpt(t *testing.T) {
	l := openLayout(t)
	job := &scheduler.Job{Arch: "arm64v8", Platform: "linux/arm64/v8", Source: scheduler.Source{File: "Dockerfile"},
		Froms: []string{"base:1"}, LastStageFrom: "base:1"}
	parent := scheduler.Result{Digest: "sha256:" + strings.Repeat("ab", 32)}
	r := &request{job: job, pins: map[string]string{"base:1": l.pin(parent)}, buildID: buildIDs[0]}
	r.export, r.stores = l.export(job.Arch, r.buildID)
	opt := r.solveOpt()
	if got, want := opt.FrontendAttrs["context:base:1"], "oci-layout://brewkit@"+parent.Digest; got != want {
		t.Errorf("the parent's named context = %q, want %q", got, want)
	}
	if opt.OCIStores[layoutStoreID] != l.store {
		t.Errorf("OCIStores = %v, want the layout's store as %q", opt.OCIStores, layoutStoreID)
	}
	exp := opt.Exports[0]
	if exp.Type != client.ExporterOCI || exp.OutputStore != l.store || exp.Attrs["tar"] != "false" || exp.Attrs["rewrite-timestamp"] != "true" {
		t.Errorf("export = %+v; want the OCI exporter into the layout's store, no tar, timestamps rewritten", exp)
	}
}
