package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/distribution/reference"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
)

// AnnotationContainerdName is the annotation containerd, and the Docker
// engine's image load, name an image of an OCI layout by.
const AnnotationContainerdName = "io.containerd.image.name"

// LayoutRef is the name a tag ("repo:tag", "ns/repo:tag") has in a
// layout's index.json: the full reference, as "docker.io/library/repo:tag",
// which skopeo (oci:DIR:REF), containerd's import and docker load read
// as they are. A tag that is no reference is returned unchanged.
func LayoutRef(tag string) string {
	n, err := reference.ParseNormalizedNamed(tag)
	if err != nil {
		return tag
	}
	return n.String()
}

// Tag points the tags of the layout's index.json at the images of r, as
// a registry publish would ([publish.Tags]): every tag and shared tag of
// the report's entries gets one entry, whose
// org.opencontainers.image.ref.name and io.containerd.image.name
// annotations are its full reference ([LayoutRef]), pointing at
// its image manifest when it has one image without attestations, else at
// a multi-platform index of its images laid out by [ociindex.New]
// (platform order, attestations next to their image), written into the
// layout. An architecture skipped for want of a worker
// ([scheduler.ErrNoWorker]) is left out. A tag one of whose architectures
// failed, was skipped or cancelled is held back, not written, unless
// partial is set, and is written without it then; a tag that entries give
// two images of one architecture ([scheduler.TagConflict]) is held back
// too. A held-back tag, like any tag r does not have, keeps the entry an
// earlier run wrote, so layouts accumulate the tags of several runs.
//
// Tag returns the tags written and held back. It fails, writing no tag,
// when a tag's images cannot be read or put in one index (two images of
// one platform, named in the error).
func (l *Layout) Tag(ctx context.Context, r *scheduler.Report, partial bool) (TagSummary, error) {
	results := map[*scheduler.Job]scheduler.Result{}
	for _, o := range r.Outcomes {
		results[o.Job] = o.Result
	}
	var sum TagSummary
	var entries []ocispec.Descriptor
	for _, t := range publish.Tags(r, partial) {
		if t.Blocked || t.Err != nil {
			sum.Held = append(sum.Held, incompleteTag(t))
			continue
		}
		desc, err := l.tagTarget(ctx, t, results)
		if err != nil {
			return TagSummary{}, fmt.Errorf("tag %s: %w", t.Ref, err)
		}
		ref := LayoutRef(t.Ref)
		desc.Annotations = mergeAnnotations(desc.Annotations, ocispec.AnnotationRefName, ref)
		desc.Annotations[AnnotationContainerdName] = ref
		entries = append(entries, desc)
		sum.Written = append(sum.Written, t.Ref)
		if len(t.Missing) > 0 {
			sum.Partial = append(sum.Partial, incompleteTag(t))
		}
	}
	if err := l.mergeIndex(entries); err != nil {
		return TagSummary{}, err
	}
	return sum, nil
}

// tagTarget is what t points at: its one manifest, or an index of its
// images and their attestations.
func (l *Layout) tagTarget(ctx context.Context, t publish.Target, results map[*scheduler.Job]scheduler.Result) (ocispec.Descriptor, error) {
	images := make([]ociindex.Image, 0, len(t.Members))
	for _, m := range t.Members {
		img, err := l.image(ctx, m.Arch, results[m.Job].BuildID)
		if err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("%s: %w", m.Job, err)
		}
		images = append(images, img)
	}
	if len(images) == 1 && len(images[0].Attestations) == 0 {
		return images[0].Manifest, nil
	}
	idx, err := ociindex.New(images)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := idx.Descriptor()
	if err := content.WriteBlob(ctx, l.store, "index-"+desc.Digest.String(), bytes.NewReader(idx.Raw), desc); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("writing its index to %s: %w", l.dir, err)
	}
	return desc, nil
}

// image is the image of buildID for arch: its recorded manifest, or the
// manifest for arch and its attestations in its recorded index
// (BuildKit's, with attestations).
func (l *Layout) image(ctx context.Context, arch, buildID string) (ociindex.Image, error) {
	desc, ok, err := l.record(buildID)
	if err != nil {
		return ociindex.Image{}, err
	}
	if !ok {
		return ociindex.Image{}, fmt.Errorf("no build %s in %s", buildID, l.dir)
	}
	if desc.MediaType != ocispec.MediaTypeImageIndex && desc.MediaType != ociindex.MediaTypeDockerList {
		return ociindex.Image{Manifest: desc}, nil
	}
	raw, err := content.ReadBlob(ctx, l.store, desc)
	if err != nil {
		return ociindex.Image{}, fmt.Errorf("build %s: reading its index: %w", buildID, err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return ociindex.Image{}, fmt.Errorf("build %s: its index %s: %w", buildID, desc.Digest, err)
	}
	img, err := ociindex.Flatten(idx, arch)
	if err != nil {
		return ociindex.Image{}, fmt.Errorf("build %s: its index %s: %w", buildID, desc.Digest, err)
	}
	return img, nil
}

// mergeAnnotations returns a copy of a with k set to v.
func mergeAnnotations(a map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(a)+1)
	maps.Copy(out, a)
	out[k] = v
	return out
}

// mergeIndex writes entries into index.json: an entry replaces the one of
// the same ref.name in place (an earlier brewkit's "repo:tag" is the same
// as "docker.io/library/repo:tag"), or is appended.
func (l *Layout) mergeIndex(entries []ocispec.Descriptor) error {
	l.index.Lock()
	defer l.index.Unlock()
	idx, err := readIndex(l.dir)
	if err != nil {
		return err
	}
	at := map[string]int{}
	for i, m := range idx.Manifests {
		if name, ok := m.Annotations[ocispec.AnnotationRefName]; ok {
			at[LayoutRef(name)] = i
		}
	}
	for _, e := range entries {
		name := LayoutRef(e.Annotations[ocispec.AnnotationRefName])
		if i, ok := at[name]; ok {
			idx.Manifests[i] = e
			continue
		}
		at[name] = len(idx.Manifests)
		idx.Manifests = append(idx.Manifests, e)
	}
	return writeIndex(l.dir, idx)
}

// emptyIndex is the index.json of a new layout: no tags.
func emptyIndex() ocispec.Index {
	return ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{}}
}

func readIndex(dir string) (ocispec.Index, error) {
	path := filepath.Join(dir, ocispec.ImageIndexFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return ocispec.Index{}, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("%s: %w", path, err)
	}
	return idx, nil
}

func writeIndex(dir string, idx ocispec.Index) error {
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ocispec.ImageIndexFile), append(data, '\n'))
}
