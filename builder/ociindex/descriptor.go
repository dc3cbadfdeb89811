package ociindex

import (
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Media types the production pipeline's indexes use besides OCI's.
const (
	MediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
)

// Annotations of the descriptors of an index.
const (
	// AnnotationArch is the production pipeline's architecture annotation,
	// the bashbrew architecture of an image: "arm64v8".
	AnnotationArch = "com.docker.official-images.bashbrew.arch"
	// AnnotationReferenceType is AttestationManifest on an attestation
	// manifest's descriptor.
	AnnotationReferenceType = "vnd.docker.reference.type"
	// AnnotationReferenceDigest is, on an attestation manifest's
	// descriptor, the digest of the image it is about.
	AnnotationReferenceDigest = "vnd.docker.reference.digest"
	// AttestationManifest is the AnnotationReferenceType of an attestation
	// manifest.
	AttestationManifest = "attestation-manifest"
)

// IsAttestation reports whether d is an attestation manifest.
func IsAttestation(d ocispec.Descriptor) bool {
	return d.Annotations[AnnotationReferenceType] == AttestationManifest
}

// PlatformOf is d's platform, or the zero platform when it has none.
func PlatformOf(d ocispec.Descriptor) ocispec.Platform {
	if d.Platform == nil {
		return ocispec.Platform{}
	}
	return *d.Platform
}

// DescribePlatform is "os/arch[/variant]" ([platforms.Format]), and the
// os.version if any: "windows/amd64 10.0.20348.3".
func DescribePlatform(p ocispec.Platform) string {
	s := platforms.Format(p)
	if p.OSVersion != "" {
		s += " " + p.OSVersion
	}
	return s
}
