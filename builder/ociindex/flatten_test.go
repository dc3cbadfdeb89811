package ociindex_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
)

func TestFlatten(t *testing.T) {
	manifest := func(name string, p ocispec.Platform, annotations map[string]string) ocispec.Descriptor {
		return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(name), Size: 10, Platform: &p, Annotations: annotations}
	}
	amd64 := manifest("amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, nil)
	arm64 := manifest("arm64", ocispec.Platform{OS: "linux", Architecture: "arm64"}, map[string]string{"a": "b"}) // no variant: normalised
	arm64v8 := arm64
	arm64v8.Platform = &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	v7 := manifest("v7", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, nil)
	v7As6 := manifest("v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, map[string]string{ociindex.AnnotationArch: "arm32v6"})
	attAmd64, attArm64 := attestation("att amd64", amd64.Digest), attestation("att arm64", arm64.Digest)
	tests := []struct {
		name    string
		index   []ocispec.Descriptor
		arch    string
		want    ociindex.Image
		wantErr string
	}{{
		name:  "BuildKit's image and attestation",
		index: []ocispec.Descriptor{amd64, attAmd64},
		arch:  "amd64",
		want:  ociindex.Image{Manifest: amd64, Attestations: []ocispec.Descriptor{attAmd64}},
	}, {
		name:  "the arch's image and its attestations only, platform normalised",
		index: []ocispec.Descriptor{amd64, attAmd64, arm64, attArm64},
		arch:  "arm64v8",
		want:  ociindex.Image{Manifest: arm64v8, Attestations: []ocispec.Descriptor{attArm64}},
	}, {
		name:  "an image annotated with another arch is not the arch's",
		index: []ocispec.Descriptor{v7As6, v7},
		arch:  "arm32v7",
		want:  ociindex.Image{Manifest: v7},
	}, {
		name:    "no image for the arch",
		index:   []ocispec.Descriptor{amd64, attAmd64},
		arch:    "s390x",
		wantErr: "want one image for s390x in the index, found 0",
	}, {
		name:    "two images for the arch",
		index:   []ocispec.Descriptor{amd64, manifest("amd64 again", ocispec.Platform{OS: "linux", Architecture: "amd64"}, nil)},
		arch:    "amd64",
		wantErr: "want one image for amd64 in the index, found 2",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ociindex.Flatten(ocispec.Index{Manifests: tt.index}, tt.arch)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Flatten: error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Flatten (-want +got):\n%s", diff)
			}
		})
	}
}
