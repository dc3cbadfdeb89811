// Package ociindex lays out the multi-platform index of a tag the way the
// production pipeline does, for both places brewkit writes one: a
// registry ([github.com/brewkit/brewkit/builder/publish]) and the OCI
// image layout of a build without a registry
// ([github.com/brewkit/brewkit/builder.Layout]). It only computes: it
// reads and writes nothing, and imports nothing of brewkit but
// [github.com/brewkit/brewkit/platforms], so that both can use it without
// one importing the other's registry or BuildKit code.
//
// Give [New] each platform's image — its manifest and the attestation
// manifests about it — and write the bytes it returns:
//
//	img, err := ociindex.Flatten(stagedIndex, "arm64v8") // BuildKit's output with attestations
//	if err != nil { ... } // no image, or two, for arm64v8 in it
//	idx, err := ociindex.New([]ociindex.Image{amd64, img})
//	if err != nil { ... } // two images for one platform
//	put(idx.Descriptor(), idx.Raw)
//
// # Order
//
// An index lists its images ordered by platform ([platforms.Compare]:
// linux first, amd64, arm64/v8, then the rest; variants and Windows
// versions newest first), each attestation manifest right after its
// image. Two images for one platform (os.version included) are an error
// naming both; the same image twice is listed once.
//
// # Descriptors and media type
//
// Descriptor annotations are kept but org.opencontainers.image.ref.name.
// The index is a Docker manifest list when every member is a Docker
// manifest, an OCI index otherwise, and has no annotations of its own.
//
// # Attestations
//
// An attestation manifest is one annotated vnd.docker.reference.type:
// attestation-manifest ([IsAttestation]), whose
// vnd.docker.reference.digest names the image it is about. BuildKit puts
// them beside the image in the index it exports; [Flatten] takes the
// image for one architecture out of such an index, with its attestations.
package ociindex
