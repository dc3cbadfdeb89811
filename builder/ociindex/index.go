package ociindex

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	digest "github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Image is one platform's image as it goes in an index: its manifest, with
// its platform set, and the attestation manifests about it.
type Image struct {
	Manifest     ocispec.Descriptor
	Attestations []ocispec.Descriptor
}

// Index is an index laid out by [New], ready to write.
type Index struct {
	Raw       []byte        // the index, as it is to be written
	Digest    digest.Digest // of Raw
	MediaType string        // MediaTypeDockerList or ocispec.MediaTypeImageIndex
	// Manifests are the descriptors Raw lists, in its order: images and
	// their attestations.
	Manifests []ocispec.Descriptor
}

// Descriptor is the descriptor of x: its media type, digest and size.
func (x *Index) Descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: x.MediaType, Digest: x.Digest, Size: int64(len(x.Raw))}
}

// New lays images out as the production pipeline does: ordered by
// platform ([platforms.Compare]), each attestation right after its image;
// descriptor annotations kept but org.opencontainers.image.ref.name; no
// index annotations; a Docker manifest list when every member is a Docker
// manifest, an OCI index otherwise. Two images for one platform
// (os.version included) are an error naming both; the same image twice is
// listed once. New does not change images.
func New(images []Image) (*Index, error) {
	images = slices.Clone(images)
	slices.SortStableFunc(images, func(a, b Image) int {
		return platforms.Compare(PlatformOf(a.Manifest), PlatformOf(b.Manifest))
	})
	x := &Index{MediaType: MediaTypeDockerList}
	seen := map[digest.Digest]bool{}
	for i, img := range images {
		if seen[img.Manifest.Digest] {
			continue
		}
		if i > 0 {
			if prev := images[i-1].Manifest; platforms.Compare(PlatformOf(prev), PlatformOf(img.Manifest)) == 0 {
				return nil, fmt.Errorf("two images for %s: %s and %s", DescribePlatform(PlatformOf(img.Manifest)), prev.Digest, img.Manifest.Digest)
			}
		}
		for _, d := range append([]ocispec.Descriptor{img.Manifest}, img.Attestations...) {
			if !seen[d.Digest] {
				seen[d.Digest] = true
				x.Manifests = append(x.Manifests, indexDescriptor(d))
			}
		}
	}
	for _, d := range x.Manifests {
		if d.MediaType != MediaTypeDockerManifest {
			x.MediaType = ocispec.MediaTypeImageIndex
		}
	}
	manifests := x.Manifests
	if manifests == nil {
		manifests = []ocispec.Descriptor{}
	}
	raw, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: x.MediaType, Manifests: manifests})
	if err != nil {
		return nil, err
	}
	x.Raw, x.Digest = raw, digest.FromBytes(raw)
	return x, nil
}

// indexDescriptor is d as an index holds it: without its ref name, and
// with nothing shared with d.
func indexDescriptor(d ocispec.Descriptor) ocispec.Descriptor {
	out := ocispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size}
	if d.Platform != nil {
		p := *d.Platform
		p.OSFeatures = slices.Clone(p.OSFeatures)
		out.Platform = &p
	}
	if len(d.Annotations) > 0 {
		out.Annotations = maps.Clone(d.Annotations)
		delete(out.Annotations, ocispec.AnnotationRefName)
		if len(out.Annotations) == 0 {
			out.Annotations = nil
		}
	}
	return out
}
