package ociindex_test

import (
	"fmt"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
)

// A tag's index, from BuildKit's output for arm64v8 (its image and an
// attestation) and a plain amd64 manifest.
func Example() {
	arm64 := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("arm64"), Size: 400,
		Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}
	staged := ocispec.Index{Manifests: []ocispec.Descriptor{arm64, {
		MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("provenance"), Size: 300,
		Platform:    &ocispec.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{ociindex.AnnotationReferenceType: ociindex.AttestationManifest, ociindex.AnnotationReferenceDigest: arm64.Digest.String()},
	}}}
	img, err := ociindex.Flatten(staged, "arm64v8")
	if err != nil {
		panic(err)
	}
	amd64 := ociindex.Image{Manifest: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("amd64"), Size: 400,
		Platform: &ocispec.Platform{OS: "linux", Architecture: "amd64"}}}

	idx, err := ociindex.New([]ociindex.Image{img, amd64})
	if err != nil {
		panic(err)
	}
	fmt.Println(idx.MediaType)
	for _, d := range idx.Manifests {
		if ociindex.IsAttestation(d) {
			fmt.Println("  attestation of", d.Annotations[ociindex.AnnotationReferenceDigest][:15])
			continue
		}
		fmt.Println(" ", ociindex.DescribePlatform(*d.Platform), d.Digest.String()[:15])
	}
	// Output:
	// application/vnd.oci.image.index.v1+json
	//   linux/amd64 sha256:5861314d
	//   linux/arm64/v8 sha256:f6916295
	//   attestation of sha256:f6916295
}
