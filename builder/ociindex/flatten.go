package ociindex

import (
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Flatten returns the image for the bashbrew architecture arch in idx
// (BuildKit's output, with attestations): its one image manifest whose
// platform matches arch ([platforms.Matches]) and is not annotated with
// another arch ([AnnotationArch]), its platform normalised, and the
// attestation manifests about it, in idx's order. Images for other
// platforms are ignored, as the production pipeline filters them. No
// image for arch, or more than one, is an error.
func Flatten(idx ocispec.Index, arch string) (Image, error) {
	var imgs []ocispec.Descriptor
	for _, d := range idx.Manifests {
		if IsAttestation(d) || d.Platform == nil || !platforms.Matches(arch, *d.Platform) {
			continue
		}
		if a, ok := d.Annotations[AnnotationArch]; ok && a != arch {
			continue
		}
		p := platforms.Normalize(*d.Platform)
		d.Platform = &p
		imgs = append(imgs, d)
	}
	if len(imgs) != 1 {
		return Image{}, fmt.Errorf("want one image for %s in the index, found %d", arch, len(imgs))
	}
	img := Image{Manifest: imgs[0]}
	for _, d := range idx.Manifests {
		if IsAttestation(d) && d.Annotations[AnnotationReferenceDigest] == img.Manifest.Digest.String() {
			img.Attestations = append(img.Attestations, d)
		}
	}
	return img, nil
}
