package ociindex_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/platforms"
)

// img is an image of arch, annotated with it and a ref name, with an
// attestation when att.
func img(arch, mediaType string, att bool) ociindex.Image {
	p, err := platforms.OCI(arch)
	if err != nil {
		panic(err)
	}
	d := digest.FromString(arch + mediaType)
	i := ociindex.Image{Manifest: ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: 100, Platform: &p,
		Annotations: map[string]string{ociindex.AnnotationArch: arch, ocispec.AnnotationRefName: "x"}}}
	if att {
		i.Attestations = []ocispec.Descriptor{attestation("att "+arch, d)}
	}
	return i
}

// attestation is an attestation manifest about the image of digest of.
func attestation(name string, of digest.Digest) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(name), Size: 50,
		Platform:    &ocispec.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{ociindex.AnnotationReferenceType: ociindex.AttestationManifest, ociindex.AnnotationReferenceDigest: of.String()}}
}

// windows is a Windows image for version; images of one version with
// different builds are different images.
func windows(version string, build ...string) ociindex.Image {
	i := img("windows-amd64", ociindex.MediaTypeDockerManifest, false)
	i.Manifest.Platform = &ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: version}
	i.Manifest.Digest = digest.FromString(version + strings.Join(build, " "))
	return i
}

// entries describes an index's descriptors: "PLATFORM" or "att of
// PLATFORM", checking that none keeps its ref name.
func entries(t *testing.T, ds []ocispec.Descriptor) []string {
	t.Helper()
	var out []string
	platformOf := map[digest.Digest]string{}
	for _, d := range ds {
		if _, ok := d.Annotations[ocispec.AnnotationRefName]; ok {
			t.Errorf("%s keeps %s", d.Digest, ocispec.AnnotationRefName)
		}
		if ociindex.IsAttestation(d) {
			out = append(out, "att of "+platformOf[digest.Digest(d.Annotations[ociindex.AnnotationReferenceDigest])])
			continue
		}
		platformOf[d.Digest] = ociindex.DescribePlatform(*d.Platform)
		out = append(out, ociindex.DescribePlatform(*d.Platform))
	}
	return out
}

func TestNew(t *testing.T) {
	const oci, docker = ocispec.MediaTypeImageManifest, ociindex.MediaTypeDockerManifest
	amd64, amd64Docker := img("amd64", oci, false), img("amd64", docker, false)
	server, server2 := windows("10.0.20348.3"), windows("10.0.20348.3", "again")
	tests := []struct {
		name      string
		images    []ociindex.Image
		want      []string
		mediaType string
		wantErr   string
	}{{
		name: "production order, attestations after their image",
		images: []ociindex.Image{img("s390x", oci, true), img("arm32v6", oci, true), img("i386", oci, false), img("arm64v8", oci, true),
			img("ppc64le", oci, true), img("arm32v7", oci, true), img("amd64", oci, true), img("riscv64", oci, false)},
		want: []string{"linux/amd64", "att of linux/amd64", "linux/arm64/v8", "att of linux/arm64/v8", "linux/386",
			"linux/arm/v7", "att of linux/arm/v7", "linux/arm/v6", "att of linux/arm/v6", "linux/ppc64le", "att of linux/ppc64le",
			"linux/riscv64", "linux/s390x", "att of linux/s390x"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "Docker manifests make a Docker manifest list",
		images:    []ociindex.Image{img("arm64v8", docker, false), img("amd64", docker, false)},
		want:      []string{"linux/amd64", "linux/arm64/v8"},
		mediaType: ociindex.MediaTypeDockerList,
	}, {
		name:      "one OCI member makes an OCI index",
		images:    []ociindex.Image{img("arm64v8", docker, false), img("amd64", oci, false)},
		want:      []string{"linux/amd64", "linux/arm64/v8"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "attestations make an OCI index",
		images:    []ociindex.Image{img("amd64", docker, true)},
		want:      []string{"linux/amd64", "att of linux/amd64"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "Windows after Linux, newest first",
		images:    []ociindex.Image{windows("10.0.17763.1"), windows("10.0.26100.2"), img("amd64", docker, false), windows("10.0.20348.3")},
		want:      []string{"linux/amd64", "windows/amd64 10.0.26100.2", "windows/amd64 10.0.20348.3", "windows/amd64 10.0.17763.1"},
		mediaType: ociindex.MediaTypeDockerList,
	}, {
		name:      "the same image twice is listed once",
		images:    []ociindex.Image{img("amd64", oci, true), img("amd64", oci, true)},
		want:      []string{"linux/amd64", "att of linux/amd64"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "no image",
		want:      nil,
		mediaType: ociindex.MediaTypeDockerList,
	}, {
		name:    "two images for one platform, both named",
		images:  []ociindex.Image{amd64, img("arm64v8", oci, false), amd64Docker},
		wantErr: "two images for linux/amd64: " + amd64.Manifest.Digest.String() + " and " + amd64Docker.Manifest.Digest.String(),
	}, {
		name:    "two images for one Windows version",
		images:  []ociindex.Image{server, windows("10.0.17763.1"), server2},
		wantErr: "two images for windows/amd64 10.0.20348.3: " + server.Manifest.Digest.String() + " and " + server2.Manifest.Digest.String(),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := ociindex.New(tt.images)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("New: error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkIndex(t, idx, tt.mediaType)
			if diff := cmp.Diff(tt.want, entries(t, idx.Manifests)); diff != "" {
				t.Errorf("index entries (-want +got):\n%s", diff)
			}
		})
	}
}

// checkIndex checks that idx.Raw is a schema 2 index of mediaType with no
// annotations, listing idx.Manifests, and that idx describes it.
func checkIndex(t *testing.T, idx *ociindex.Index, mediaType string) {
	t.Helper()
	var head struct {
		SchemaVersion int                  `json:"schemaVersion"`
		MediaType     string               `json:"mediaType"`
		Manifests     []ocispec.Descriptor `json:"manifests"`
		Annotations   map[string]string    `json:"annotations"`
	}
	if err := json.Unmarshal(idx.Raw, &head); err != nil {
		t.Fatal(err)
	}
	if head.SchemaVersion != 2 || head.MediaType != mediaType || idx.MediaType != mediaType || head.Annotations != nil || head.Manifests == nil {
		t.Errorf("index %s (%s), want schema 2, media type %s, a manifests list and no annotations", idx.Raw, idx.MediaType, mediaType)
	}
	if diff := cmp.Diff(idx.Manifests, head.Manifests, cmpEmpty); diff != "" {
		t.Errorf("Manifests are not those of the index (-Manifests +index):\n%s", diff)
	}
	want := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(idx.Raw), Size: int64(len(idx.Raw))}
	if diff := cmp.Diff(want, idx.Descriptor()); diff != "" || idx.Digest != want.Digest {
		t.Errorf("Descriptor (-want +got), Digest %s:\n%s", idx.Digest, diff)
	}
}

// cmpEmpty takes a nil slice and an empty one as equal.
var cmpEmpty = cmp.FilterValues(func(a, b []ocispec.Descriptor) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

// TestNewAnnotations checks that descriptor annotations are carried over
// but the ref name, that the index is the same whatever order its images
// come in, and that New leaves its input alone.
func TestNewAnnotations(t *testing.T) {
	a, b := img("amd64", ocispec.MediaTypeImageManifest, true), img("arm64v8", ocispec.MediaTypeImageManifest, true)
	x, err := ociindex.New([]ociindex.Image{a, b})
	if err != nil {
		t.Fatal(err)
	}
	y, err := ociindex.New([]ociindex.Image{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if x.Digest != y.Digest {
		t.Errorf("the order of the images changes the index: %s, %s", x.Digest, y.Digest)
	}
	want := []map[string]string{
		{ociindex.AnnotationArch: "amd64"},
		{ociindex.AnnotationReferenceType: ociindex.AttestationManifest, ociindex.AnnotationReferenceDigest: a.Manifest.Digest.String()},
		{ociindex.AnnotationArch: "arm64v8"},
		{ociindex.AnnotationReferenceType: ociindex.AttestationManifest, ociindex.AnnotationReferenceDigest: b.Manifest.Digest.String()},
	}
	var got []map[string]string
	for _, d := range x.Manifests {
		got = append(got, d.Annotations)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptor annotations (-want +got):\n%s", diff)
	}
	x.Manifests[0].Platform.Architecture = "changed"
	if a.Manifest.Annotations[ocispec.AnnotationRefName] != "x" || a.Manifest.Platform.Architecture != "amd64" {
		t.Error("New changed its input, or returned descriptors that share it")
	}
}

func TestDescribePlatform(t *testing.T) {
	tests := []struct {
		d    ocispec.Descriptor
		want string
	}{
		{ocispec.Descriptor{Platform: &ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}, "linux/arm/v7"},
		{ocispec.Descriptor{Platform: &ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.1"}}, "windows/amd64 10.0.1"},
		{ocispec.Descriptor{}, "unknown"},
	}
	for _, tt := range tests {
		if got := ociindex.DescribePlatform(ociindex.PlatformOf(tt.d)); got != tt.want {
			t.Errorf("DescribePlatform(PlatformOf(%+v)) = %q, want %q", tt.d.Platform, got, tt.want)
		}
	}
}
