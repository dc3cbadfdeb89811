package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/containerd/containerd/v2/core/content"
	digest "github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// Tag points the tags of the layout's index.json at the images of r. Every
// "repo:tag" of a job that was built or up to date gets one entry, whose
// org.opencontainers.image.ref.name annotation is the tag: the job's
// manifest when one architecture has the tag, else a multi-platform OCI
// index of the tag's manifests in platform order ([platforms.Compare]),
// written into the layout. A tag gets the architectures that have an image,
// even when others failed. Entries for other tags are kept, so layouts
// accumulate the tags of several runs. Tag returns how many tags it wrote.
func (l *Layout) Tag(ctx context.Context, r *scheduler.Report) (int, error) {
	tags, images, err := l.tagged(r)
	if err != nil {
		return 0, err
	}
	entries := make([]ocispec.Descriptor, 0, len(tags))
	for _, tag := range tags {
		desc, err := l.tagTarget(ctx, tag, images[tag])
		if err != nil {
			return 0, err
		}
		desc.Annotations = mergeAnnotations(desc.Annotations, ocispec.AnnotationRefName, tag)
		entries = append(entries, desc)
	}
	if err := l.mergeIndex(entries); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// tagged returns the tags of r's images in the order they first appear,
// and the recorded manifests of each tag, without duplicates.
func (l *Layout) tagged(r *scheduler.Report) ([]string, map[string][]ocispec.Descriptor, error) {
	var tags []string
	images := map[string][]ocispec.Descriptor{}
	for _, o := range r.Outcomes {
		if o.Status != scheduler.Built && o.Status != scheduler.UpToDate {
			continue
		}
		desc, ok, err := l.record(o.Result.BuildID)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, fmt.Errorf("%s: no build %s in %s", o.Job, o.Result.BuildID, l.dir)
		}
		for _, tag := range o.Job.Tags {
			if _, seen := images[tag]; !seen {
				tags = append(tags, tag)
			}
			if !slices.ContainsFunc(images[tag], func(d ocispec.Descriptor) bool { return d.Digest == desc.Digest }) {
				images[tag] = append(images[tag], desc)
			}
		}
	}
	return tags, images, nil
}

// tagTarget is what tag points at: its one manifest, or an index of them.
func (l *Layout) tagTarget(ctx context.Context, tag string, manifests []ocispec.Descriptor) (ocispec.Descriptor, error) {
	if len(manifests) == 1 {
		return manifests[0], nil
	}
	idx := newIndex(sortedByPlatform(manifests))
	data, err := json.Marshal(idx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: digest.FromBytes(data), Size: int64(len(data))}
	if err := content.WriteBlob(ctx, l.store, "index-"+desc.Digest.String(), bytes.NewReader(data), desc); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("writing the index of %s to %s: %w", tag, l.dir, err)
	}
	return desc, nil
}

// sortedByPlatform returns a copy of ds in platform order.
func sortedByPlatform(ds []ocispec.Descriptor) []ocispec.Descriptor {
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b ocispec.Descriptor) int {
		return platforms.Compare(platformOf(a), platformOf(b))
	})
	return out
}

func platformOf(d ocispec.Descriptor) ocispec.Platform {
	if d.Platform == nil {
		return ocispec.Platform{}
	}
	return *d.Platform
}

// mergeAnnotations returns a copy of a with k set to v.
func mergeAnnotations(a map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(a)+1)
	maps.Copy(out, a)
	out[k] = v
	return out
}

// mergeIndex writes entries into index.json: an entry replaces the one of
// the same ref.name in place, or is appended.
func (l *Layout) mergeIndex(entries []ocispec.Descriptor) error {
	idx, err := readIndex(l.dir)
	if err != nil {
		return err
	}
	at := map[string]int{}
	for i, m := range idx.Manifests {
		if name, ok := m.Annotations[ocispec.AnnotationRefName]; ok {
			at[name] = i
		}
	}
	for _, e := range entries {
		name := e.Annotations[ocispec.AnnotationRefName]
		if i, ok := at[name]; ok {
			idx.Manifests[i] = e
			continue
		}
		at[name] = len(idx.Manifests)
		idx.Manifests = append(idx.Manifests, e)
	}
	return writeIndex(l.dir, idx)
}

func newIndex(manifests []ocispec.Descriptor) ocispec.Index {
	if manifests == nil {
		manifests = []ocispec.Descriptor{}
	}
	return ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: manifests}
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
