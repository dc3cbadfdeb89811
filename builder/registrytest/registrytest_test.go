package registrytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestPush pushes an index and a single image to two registries: the
// same digests in both, the index's members with their platforms and an
// unknown/unknown one, the single image's platform in its config.
func TestPush(t *testing.T) {
	a, b := Serve(t), Serve(t)
	var digests []string
	for _, host := range []string{a, b} {
		idx, err := Push(t.Context(), host+"/fixture/multi:1", []string{"amd64", "arm64v8"})
		if err != nil {
			t.Fatal(err)
		}
		one, err := Push(t.Context(), host+"/fixture/single:1", []string{"s390x"})
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, idx.String()+" "+one.String())
	}
	if digests[0] != digests[1] {
		t.Errorf("digests differ between registries: %v", digests)
	}

	im, err := remote.Index(mustRef(t, a+"/fixture/multi:1"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := im.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		got = append(got, d.Platform.String())
	}
	if strings.Join(got, " ") != "linux/amd64 linux/arm64/v8 unknown/unknown" {
		t.Errorf("index members %v; want linux/amd64 linux/arm64/v8 unknown/unknown", got)
	}
	img, err := remote.Image(mustRef(t, a+"/fixture/single:1"))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "s390x" {
		t.Errorf("single image config %s/%s; want linux/s390x", cf.OS, cf.Architecture)
	}
	if _, err := Push(t.Context(), a+"/fixture/x:1", []string{"vax"}); err == nil {
		t.Error("Push of an unknown arch: no error")
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReadPinned(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       string // "IMAGE ARCH,ARCH;…", or "" for an error
	}{
		{"images", "# c\n\nbrewkit-fixture/multi:1 amd64 arm64v8\n  docker.io/a/b:2   s390x\n", "brewkit-fixture/multi:1 amd64,arm64v8;docker.io/a/b:2 s390x"},
		{"no tag", "a/b amd64\n", ""},
		{"no namespace", "debian:bookworm amd64\n", ""},
		{"not Docker Hub", "gcr.io/a/b:1 amd64\n", ""},
		{"no arches", "a/b:1\n", ""},
		{"unknown arch", "a/b:1 vax\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "pins.txt")
			if err := os.WriteFile(f, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			images, err := ReadPinned(f)
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), f+":") {
					t.Errorf("ReadPinned = %v, %v; want an error naming the line", images, err)
				}
				return
			}
			var got []string
			for _, p := range images {
				got = append(got, p.Image+" "+strings.Join(p.Arches, ","))
			}
			if err != nil || strings.Join(got, ";") != tc.want {
				t.Errorf("ReadPinned = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestPushPinned writes each digest where .external-pins/file.sh has it.
func TestPushPinned(t *testing.T) {
	host, dir := Serve(t), t.TempDir()
	images := []Pinned{{Image: "brewkit-fixture/multi:1", Arches: []string{"amd64", "ppc64le"}}}
	if err := PushPinned(t.Context(), host, images, dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "brewkit-fixture", "multi___1"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(mustRef(t, host+"/brewkit-fixture/multi:1"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != d.Digest.String()+"\n" {
		t.Errorf("pin %q; want %s and a newline", b, d.Digest)
	}
}
