package builder

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/scheduler"
)

// entry is an index.json entry as the tests compare it.
type entry struct {
	MediaType string
	Digest    string
	Platforms []string // of an index's manifests, in order
}

func TestLayoutTag(t *testing.T) {
	ctx := t.Context()
	l := openLayout(t)
	write := func(arch, goarch, buildID string) string {
		t.Helper()
		res, err := l.write(ctx, arch, buildID, randomImage(t, goarch))
		if err != nil {
			t.Fatal(err)
		}
		return res.Digest
	}
	fooArm, fooAmd, bar := write("arm64v8", "arm64", buildIDs[0]), write("amd64", "amd64", buildIDs[1]), write("amd64", "amd64", buildIDs[2])
	// An entry from an earlier run, for a tag this run does not touch.
	old := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.Digest("sha256:" + buildIDs[3]), Size: 1,
		Annotations: map[string]string{ocispec.AnnotationRefName: "old:1"}}
	if err := l.mergeIndex([]ocispec.Descriptor{old}); err != nil {
		t.Fatal(err)
	}

	outcome := func(status scheduler.Status, arch, buildID string, tags ...string) *scheduler.Outcome {
		return &scheduler.Outcome{Job: &scheduler.Job{Arch: arch, Tags: tags}, Status: status, Result: scheduler.Result{BuildID: buildID}}
	}
	report := &scheduler.Report{Outcomes: []*scheduler.Outcome{
		outcome(scheduler.Built, "arm64v8", buildIDs[0], "foo:1", "foo:latest"), // arm64 first: the index sorts it after amd64
		outcome(scheduler.UpToDate, "amd64", buildIDs[1], "foo:1", "foo:latest"),
		outcome(scheduler.Built, "amd64", buildIDs[2], "bar:1"),
		outcome(scheduler.Failed, "s390x", "", "foo:1", "baz:1"),
	}}
	n, err := l.Tag(ctx, report)
	if err != nil || n != 3 {
		t.Fatalf("Tag = %d, %v; want 3 tags", n, err)
	}
	index := func() []byte {
		data, err := os.ReadFile(filepath.Join(l.Dir(), "index.json"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := index()

	got := tagEntries(t, l.Dir())
	fooIndex := got["foo:1"].Digest
	want := map[string]entry{
		"old:1":      {MediaType: ocispec.MediaTypeImageManifest, Digest: old.Digest.String()},
		"foo:1":      {MediaType: ocispec.MediaTypeImageIndex, Digest: fooIndex, Platforms: []string{"linux/amd64 " + fooAmd, "linux/arm64/v8 " + fooArm}},
		"foo:latest": {MediaType: ocispec.MediaTypeImageIndex, Digest: fooIndex, Platforms: []string{"linux/amd64 " + fooAmd, "linux/arm64/v8 " + fooArm}},
		"bar:1":      {MediaType: ocispec.MediaTypeImageManifest, Digest: bar},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("index.json (-want +got):\n%s", diff)
	}

	// Again: the same bytes.
	if _, err := l.Tag(ctx, report); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(index())); diff != "" {
		t.Errorf("a second Tag changed index.json (-first +second):\n%s", diff)
	}
}

// tagEntries reads the layout in dir with go-containerregistry and returns
// its entries by ref.name; an index's manifests are "PLATFORM DIGEST".
func tagEntries(t *testing.T, dir string) map[string]entry {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]entry{}
	for _, d := range m.Manifests {
		e := entry{MediaType: string(d.MediaType), Digest: d.Digest.String()}
		if d.MediaType.IsIndex() {
			raw, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", d.Digest.Hex))
			if err != nil {
				t.Fatal(err)
			}
			var idx ocispec.Index
			if err := json.Unmarshal(raw, &idx); err != nil {
				t.Fatal(err)
			}
			for _, c := range idx.Manifests {
				pl := c.Platform.OS + "/" + c.Platform.Architecture
				if c.Platform.Variant != "" {
					pl += "/" + c.Platform.Variant
				}
				e.Platforms = append(e.Platforms, pl+" "+c.Digest.String())
			}
		}
		out[d.Annotations[ocispec.AnnotationRefName]] = e
	}
	return out
}
