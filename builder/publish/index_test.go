package publish

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// img is an image of arch for TestNewIndex, with an attestation when att.
func img(arch, mediaType string, att bool) image {
	p, err := platforms.OCI(arch)
	if err != nil {
		panic(err)
	}
	d := digest.FromString(arch + mediaType)
	i := image{manifest: child{desc: ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: 100, Platform: &p,
		Annotations: map[string]string{annotationArch: arch, annotationRefName: "x"}}}}
	if att {
		i.attestations = []child{{desc: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("att " + arch), Size: 50,
			Platform:    &ocispec.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{annotationReferenceType: attestationManifest, annotationReferenceOf: d.String()}}}}
	}
	return i
}

func windows(version string) image {
	i := img("windows-amd64", mediaTypeDockerManifest, false)
	i.manifest.desc.Platform = &ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: version}
	i.manifest.desc.Digest = digest.FromString(version)
	return i
}

// entries describes an index's descriptors: "PLATFORM" or "att of PLATFORM".
func entries(t *testing.T, raw []byte) []string {
	t.Helper()
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	var out []string
	platformOf := map[digest.Digest]string{}
	for _, d := range idx.Manifests {
		if _, ok := d.Annotations[annotationRefName]; ok {
			t.Errorf("%s keeps %s", d.Digest, annotationRefName)
		}
		if isAttestation(d) {
			out = append(out, "att of "+platformOf[digest.Digest(d.Annotations[annotationReferenceOf])])
			continue
		}
		platformOf[d.Digest] = describePlatform(*d.Platform)
		out = append(out, describePlatform(*d.Platform))
	}
	return out
}

func TestNewIndex(t *testing.T) {
	const oci, docker = ocispec.MediaTypeImageManifest, mediaTypeDockerManifest
	tests := []struct {
		name      string
		images    []image
		want      []string
		mediaType string
		wantErr   string
	}{{
		name: "production order, attestations after their image",
		images: []image{img("s390x", oci, true), img("arm32v6", oci, true), img("i386", oci, false), img("arm64v8", oci, true),
			img("ppc64le", oci, true), img("arm32v7", oci, true), img("amd64", oci, true), img("riscv64", oci, false)},
		want: []string{"linux/amd64", "att of linux/amd64", "linux/arm64/v8", "att of linux/arm64/v8", "linux/386",
			"linux/arm/v7", "att of linux/arm/v7", "linux/arm/v6", "att of linux/arm/v6", "linux/ppc64le", "att of linux/ppc64le",
			"linux/riscv64", "linux/s390x", "att of linux/s390x"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "Docker manifests make a Docker manifest list",
		images:    []image{img("arm64v8", docker, false), img("amd64", docker, false)},
		want:      []string{"linux/amd64", "linux/arm64/v8"},
		mediaType: mediaTypeDockerList,
	}, {
		name:      "one OCI member makes an OCI index",
		images:    []image{img("arm64v8", docker, false), img("amd64", oci, false)},
		want:      []string{"linux/amd64", "linux/arm64/v8"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "attestations make an OCI index",
		images:    []image{img("amd64", docker, true)},
		want:      []string{"linux/amd64", "att of linux/amd64"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:      "Windows after Linux, newest first",
		images:    []image{windows("10.0.17763.1"), windows("10.0.26100.2"), img("amd64", docker, false), windows("10.0.20348.3")},
		want:      []string{"linux/amd64", "windows/amd64 10.0.26100.2", "windows/amd64 10.0.20348.3", "windows/amd64 10.0.17763.1"},
		mediaType: mediaTypeDockerList,
	}, {
		name:      "the same image twice is written once",
		images:    []image{img("amd64", oci, true), img("amd64", oci, true)},
		want:      []string{"linux/amd64", "att of linux/amd64"},
		mediaType: ocispec.MediaTypeImageIndex,
	}, {
		name:    "two images of one platform",
		images:  []image{img("amd64", oci, false), img("amd64", docker, false)},
		wantErr: "two images for linux/amd64",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := newIndex(tt.images)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("newIndex: error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, entries(t, idx.raw)); diff != "" {
				t.Errorf("index entries (-want +got):\n%s", diff)
			}
			var head struct {
				SchemaVersion int               `json:"schemaVersion"`
				MediaType     string            `json:"mediaType"`
				Annotations   map[string]string `json:"annotations"`
			}
			if err := json.Unmarshal(idx.raw, &head); err != nil {
				t.Fatal(err)
			}
			if head.SchemaVersion != 2 || head.MediaType != tt.mediaType || idx.mediaType != tt.mediaType || head.Annotations != nil {
				t.Errorf("index %+v (%s), want schema 2, media type %s, no annotations", head, idx.mediaType, tt.mediaType)
			}
			if idx.digest != digest.FromBytes(idx.raw) {
				t.Errorf("digest %s is not the index's", idx.digest)
			}
		})
	}
}

// TestNewIndexAnnotations checks that descriptor annotations are carried
// over but the ref name, and that the index is the same whatever order
// its images come in.
func TestNewIndexAnnotations(t *testing.T) {
	a, b := img("amd64", ocispec.MediaTypeImageManifest, true), img("arm64v8", ocispec.MediaTypeImageManifest, true)
	x, err := newIndex([]image{a, b})
	if err != nil {
		t.Fatal(err)
	}
	y, err := newIndex([]image{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if x.digest != y.digest {
		t.Errorf("the order of the images changes the index: %s, %s", x.digest, y.digest)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(x.raw, &idx); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{annotationArch: "amd64"},
		{annotationReferenceType: attestationManifest, annotationReferenceOf: a.manifest.desc.Digest.String()},
		{annotationArch: "arm64v8"},
		{annotationReferenceType: attestationManifest, annotationReferenceOf: b.manifest.desc.Digest.String()},
	}
	var got []map[string]string
	for _, d := range idx.Manifests {
		got = append(got, d.Annotations)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("descriptor annotations (-want +got):\n%s", diff)
	}
	if a.manifest.desc.Annotations[annotationRefName] != "x" {
		t.Error("newIndex changed its input's annotations")
	}
}
