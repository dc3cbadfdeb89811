package builder

import (
	"errors"
	"fmt"
	"github.com/distribution/reference"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// tagFixture is a layout holding named images, recorded under build ids
// as an Executor records them, and index.json entries from an earlier
// run: old:1, and foo:1, which both point at the image "earlier".
type tagFixture struct {
	l       *Layout
	results map[string]scheduler.Result // by image name
	names   map[string]string           // image and attestation names by digest
}

func newTagFixture(t *testing.T) *tagFixture {
	t.Helper()
	f := &tagFixture{l: openLayout(t), results: map[string]scheduler.Result{}, names: map[string]string{}}
	for _, img := range []struct{ name, arch, goarch string }{
		{"amd64", "amd64", "amd64"}, {"arm64v8", "arm64v8", "arm64"}, {"s390x", "s390x", "s390x"}, {"bar", "amd64", "amd64"},
		{"win1", "windows-amd64", "amd64"}, {"win2", "windows-amd64", "amd64"},
	} {
		res, err := f.l.write(t.Context(), img.arch, scheduler.BuildID(img.name, img.arch, nil), randomImage(t, img.goarch))
		if err != nil {
			t.Fatal(err)
		}
		f.results[img.name], f.names[res.Digest] = res, img.name
	}
	f.attested(t, "arm64v8+att", "arm64v8")
	earlier := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("earlier"), Size: 1}
	f.names[earlier.Digest.String()] = "earlier"
	var seed []ocispec.Descriptor
	for _, tag := range []string{"old:1", "foo:1"} {
		d := earlier
		d.Annotations = map[string]string{ocispec.AnnotationRefName: tag}
		seed = append(seed, d)
	}
	if err := f.l.mergeIndex(seed); err != nil {
		t.Fatal(err)
	}
	return f
}

// attested records, as BuildKit exports an image with attestations, an
// index of an image for arch and an attestation manifest about it.
func (f *tagFixture) attested(t *testing.T, name, arch string) {
	t.Helper()
	p, err := platforms.OCI(arch)
	if err != nil {
		t.Fatal(err)
	}
	img, att := randomImage(t, p.Architecture), randomImage(t, "unknown")
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{ociindex.AnnotationReferenceType: ociindex.AttestationManifest, ociindex.AnnotationReferenceDigest: d.String()}}})
	if err := layout.Path(f.l.Dir()).WriteIndex(idx); err != nil {
		t.Fatal(err)
	}
	id, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	size, err := idx.Size()
	if err != nil {
		t.Fatal(err)
	}
	ad, err := att.Digest()
	if err != nil {
		t.Fatal(err)
	}
	buildID := scheduler.BuildID(name, arch, nil)
	res, err := f.l.keep(arch, buildID, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: digest.Digest(id.String()), Size: size})
	if err != nil {
		t.Fatal(err)
	}
	f.results[name], f.names[d.String()], f.names[ad.String()] = res, name, "att of "+name
}

// tagJob is a job of a test report: an entry's arch, how it ended, and
// the fixture image it gave.
type tagJob struct {
	origin scheduler.Origin
	arch   string
	status scheduler.Status
	image  string
	err    error
}

func (f *tagFixture) report(jobs ...tagJob) *scheduler.Report {
	r := &scheduler.Report{}
	for _, j := range jobs {
		o := j.origin
		sj := &scheduler.Job{ID: j.arch + "/" + o.String(), Arch: j.arch, Origins: []scheduler.Origin{o}}
		for _, tag := range append(append([]string(nil), o.Tags...), o.SharedTags...) {
			sj.Tags = append(sj.Tags, o.Repo+":"+tag)
		}
		r.Outcomes = append(r.Outcomes, &scheduler.Outcome{Job: sj, Status: j.status, Err: j.err, Result: f.results[j.image]})
	}
	return r
}

func tagOrigin(repo string, line int, tag string, shared ...string) scheduler.Origin {
	return scheduler.Origin{File: "library/" + repo, Line: line, Repo: repo, Tag: tag, Tags: []string{tag}, SharedTags: shared}
}

// tagSummary is what TestLayoutTag compares of a TagSummary.
type tagSummary struct{ Written, Held, Partial []string }

func projectSummary(s TagSummary) tagSummary {
	p := tagSummary{Written: s.Written}
	for _, h := range s.Held {
		p.Held = append(p.Held, h.String())
	}
	for _, h := range s.Partial {
		p.Partial = append(p.Partial, h.String())
	}
	return p
}

func TestLayoutTag(t *testing.T) {
	foo, bar := tagOrigin("foo", 3, "1", "latest"), tagOrigin("bar", 1, "1")
	foo2 := tagOrigin("foo", 9, "2", "latest") // gives foo:latest amd64 too, from another source
	win1, win2 := tagOrigin("win", 1, "ltsc2022", "latest"), tagOrigin("win", 5, "ltsc2025", "latest")
	built := func(o scheduler.Origin, arch, image string) tagJob {
		return tagJob{origin: o, arch: arch, status: scheduler.Built, image: image}
	}
	ended := func(o scheduler.Origin, arch string, status scheduler.Status, err error) tagJob {
		return tagJob{origin: o, arch: arch, status: status, err: err}
	}
	fooBar := []tagJob{built(foo, "amd64", "amd64"), {origin: foo, arch: "arm64v8", status: scheduler.UpToDate, image: "arm64v8"}, built(bar, "amd64", "bar")}
	failedS390x := ended(foo, "s390x", scheduler.Failed, errors.New("RUN false"))
	const fooIndex, earlier = "[amd64 arm64v8]", "earlier"
	conflict := scheduler.TagConflict{Repo: "foo", Tag: "latest", Arch: "amd64", Entries: []scheduler.Origin{foo, foo2}}

	tests := []struct {
		name    string
		jobs    []tagJob
		partial bool
		want    tagSummary
		tags    map[string]string // index.json: tag → image name, or [its index]
		wantErr string
	}{{
		name: "every arch built",
		jobs: fooBar,
		want: tagSummary{Written: []string{"foo:1", "bar:1", "foo:latest"}},
		tags: map[string]string{"old:1": earlier, "foo:1": fooIndex, "foo:latest": fooIndex, "bar:1": "bar"},
	}, {
		name: "a failed arch holds its tags back",
		jobs: append(fooBar, failedS390x),
		want: tagSummary{Written: []string{"bar:1"}, Held: []string{"foo:1: job foo:1 (s390x) failed", "foo:latest: job foo:1 (s390x) failed"}},
		tags: map[string]string{"old:1": earlier, "foo:1": earlier, "bar:1": "bar"},
	}, {
		name:    "partial writes them without it",
		jobs:    append(fooBar, failedS390x),
		partial: true,
		want: tagSummary{Written: []string{"foo:1", "bar:1", "foo:latest"},
			Partial: []string{"foo:1: job foo:1 (s390x) failed", "foo:latest: job foo:1 (s390x) failed"}},
		tags: map[string]string{"old:1": earlier, "foo:1": fooIndex, "foo:latest": fooIndex, "bar:1": "bar"},
	}, {
		name: "skipped and cancelled arches hold it back too",
		jobs: []tagJob{built(foo, "amd64", "amd64"), ended(foo, "s390x", scheduler.Skipped, errors.New("parent failed")),
			ended(foo, "arm64v8", scheduler.Cancelled, errors.New("context canceled"))},
		want: tagSummary{Held: []string{"foo:1: job foo:1 (arm64v8) cancelled, job foo:1 (s390x) skipped",
			"foo:latest: job foo:1 (arm64v8) cancelled, job foo:1 (s390x) skipped"}},
		tags: map[string]string{"old:1": earlier, "foo:1": earlier},
	}, {
		name: "an arch no worker builds is left out",
		jobs: append(fooBar, ended(foo, "s390x", scheduler.Skipped, fmt.Errorf("s390x: %w", scheduler.ErrNoWorker))),
		want: tagSummary{Written: []string{"foo:1", "bar:1", "foo:latest"}},
		tags: map[string]string{"old:1": earlier, "foo:1": fooIndex, "foo:latest": fooIndex, "bar:1": "bar"},
	}, {
		name: "attestations next to their image",
		jobs: []tagJob{built(foo, "s390x", "s390x"), built(foo, "arm64v8", "arm64v8+att"), built(foo, "amd64", "amd64"), built(bar, "arm64v8", "arm64v8+att")},
		want: tagSummary{Written: []string{"foo:1", "bar:1", "foo:latest"}},
		tags: map[string]string{"old:1": earlier, "foo:1": "[amd64 arm64v8+att att of arm64v8+att s390x]",
			"foo:latest": "[amd64 arm64v8+att att of arm64v8+att s390x]", "bar:1": "[arm64v8+att att of arm64v8+att]"},
	}, {
		name: "two entries giving a shared tag one arch",
		jobs: []tagJob{built(foo, "amd64", "amd64"), built(foo2, "amd64", "bar")},
		want: tagSummary{Written: []string{"foo:1", "foo:2"}, Held: []string{"foo:latest: " + conflict.Error()}},
		tags: map[string]string{"old:1": earlier, "foo:1": "amd64", "foo:2": "bar"},
	}, {
		name:    "two images for one platform",
		jobs:    []tagJob{built(win1, "windows-amd64", "win1"), built(win2, "windows-amd64", "win2")},
		wantErr: "tag win:latest: two images for windows/amd64: WIN1 and WIN2",
		tags:    map[string]string{"old:1": earlier, "foo:1": earlier},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTagFixture(t)
			sum, err := f.l.Tag(t.Context(), f.report(tt.jobs...), tt.partial)
			if tt.wantErr != "" {
				want := strings.NewReplacer("WIN1", f.results["win1"].Digest, "WIN2", f.results["win2"].Digest).Replace(tt.wantErr)
				if err == nil || err.Error() != want {
					t.Errorf("Tag: error %v, want %q", err, want)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, projectSummary(sum)); diff != "" {
				t.Errorf("TagSummary (-want +got):\n%s", diff)
			}
			first := f.indexJSON(t)
			if diff := cmp.Diff(tt.tags, f.tagEntries(t)); diff != "" {
				t.Errorf("index.json (-want +got):\n%s", diff)
			}
			if _, err := f.l.Tag(t.Context(), f.report(tt.jobs...), tt.partial); (err == nil) != (tt.wantErr == "") {
				t.Errorf("a second Tag: error %v", err)
			}
			if again := f.indexJSON(t); again != first {
				t.Errorf("a second Tag changed index.json (-first +second):\n%s", cmp.Diff(first, again))
			}
		})
	}
}

func (f *tagFixture) indexJSON(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(f.l.Dir(), "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// tagEntries reads the layout with go-containerregistry and returns its
// tags: the name of the image each points at, or "[…]" the names of the
// manifests of the index it points at ("att of NAME" for an attestation),
// checking that an index's manifests have no ref name.
func (f *tagFixture) tagEntries(t *testing.T) map[string]string {
	t.Helper()
	root, err := layout.ImageIndexFromPath(f.l.Dir())
	if err != nil {
		t.Fatal(err)
	}
	m, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range m.Manifests {
		tag := d.Annotations[ocispec.AnnotationRefName]
		if c := d.Annotations[AnnotationContainerdName]; f.name(d.Digest.String()) != "earlier" && (c != tag || !strings.HasPrefix(tag, "docker.io/")) {
			t.Errorf("%s: %s %q, want the full reference in both", tag, AnnotationContainerdName, c)
		}
		if n, err := reference.ParseNormalizedNamed(tag); err == nil {
			tag = reference.FamiliarString(n) // the tests name tags as "repo:tag"
		}
		if !d.MediaType.IsIndex() {
			out[tag] = f.name(d.Digest.String())
			continue
		}
		idx, err := root.ImageIndex(d.Digest)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range im.Manifests {
			if _, ok := c.Annotations[ocispec.AnnotationRefName]; ok {
				t.Errorf("%s: %s keeps its ref name", tag, c.Digest)
			}
			names = append(names, f.name(c.Digest.String()))
		}
		out[tag] = "[" + strings.Join(names, " ") + "]"
	}
	return out
}

func (f *tagFixture) name(d string) string {
	if n, ok := f.names[d]; ok {
		return n
	}
	return d
}
