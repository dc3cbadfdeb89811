package publish

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Media types and annotations of the indexes.
const (
	mediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"

	annotationRefName       = ocispec.AnnotationRefName // dropped from descriptors, as production does
	annotationReferenceType = "vnd.docker.reference.type"
	annotationReferenceOf   = "vnd.docker.reference.digest"
	attestationManifest     = "attestation-manifest"
)

// image is one member's image as it goes in an index: its manifest and
// the attestation manifests about it, each with the repository to copy it
// from.
type image struct {
	manifest     child
	attestations []child
}

// child is a manifest an index references.
type child struct {
	desc ocispec.Descriptor // as it goes in the index: platform, annotations
	src  string             // the repository it is copied from: "host/staging-amd64"
	raw  []byte             // the manifest, when it was read already
}

// index is an index ready to write.
type index struct {
	raw       []byte
	digest    digest.Digest
	mediaType string
	children  []child // in index order
}

// newIndex lays images out as the production pipeline does: ordered by
// platform (see [platforms.Compare]), each attestation right after its
// image; descriptor annotations kept but org.opencontainers.image.ref.name;
// no index annotations; a Docker manifest list when every member is a
// Docker manifest, an OCI index otherwise. Two images of one platform
// (os.version included) are an error; the same image twice is written once.
func newIndex(images []image) (*index, error) {
	images = slices.Clone(images)
	slices.SortStableFunc(images, func(a, b image) int {
		return platforms.Compare(platformOf(a.manifest.desc), platformOf(b.manifest.desc))
	})
	idx := &index{mediaType: mediaTypeDockerList}
	seen := map[digest.Digest]bool{}
	for i, img := range images {
		if seen[img.manifest.desc.Digest] {
			continue
		}
		if i > 0 && platforms.Compare(platformOf(images[i-1].manifest.desc), platformOf(img.manifest.desc)) == 0 {
			return nil, fmt.Errorf("two images for %s: %s and %s", describePlatform(platformOf(img.manifest.desc)),
				images[i-1].manifest.desc.Digest, img.manifest.desc.Digest)
		}
		for _, c := range append([]child{img.manifest}, img.attestations...) {
			if !seen[c.desc.Digest] {
				seen[c.desc.Digest] = true
				idx.children = append(idx.children, c)
			}
		}
	}
	descs := make([]ocispec.Descriptor, len(idx.children))
	for i, c := range idx.children {
		descs[i] = indexDescriptor(c.desc)
		if c.desc.MediaType != mediaTypeDockerManifest {
			idx.mediaType = ocispec.MediaTypeImageIndex
		}
	}
	raw, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: idx.mediaType, Manifests: descs})
	if err != nil {
		return nil, err
	}
	idx.raw, idx.digest = raw, digest.FromBytes(raw)
	return idx, nil
}

// indexDescriptor is d as an index holds it.
func indexDescriptor(d ocispec.Descriptor) ocispec.Descriptor {
	out := ocispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size, Platform: d.Platform}
	if len(d.Annotations) > 0 {
		out.Annotations = maps.Clone(d.Annotations)
		delete(out.Annotations, annotationRefName)
		if len(out.Annotations) == 0 {
			out.Annotations = nil
		}
	}
	return out
}

func platformOf(d ocispec.Descriptor) ocispec.Platform {
	if d.Platform == nil {
		return ocispec.Platform{}
	}
	return *d.Platform
}

// describePlatform is "os/arch[/variant]", and the os.version if any.
func describePlatform(p ocispec.Platform) string {
	s := platforms.Format(p)
	if p.OSVersion != "" {
		s += " " + p.OSVersion
	}
	return s
}

// isAttestation reports whether d is an attestation manifest.
func isAttestation(d ocispec.Descriptor) bool {
	return d.Annotations[annotationReferenceType] == attestationManifest
}
