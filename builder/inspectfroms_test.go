package builder

import (
	"context"
	"os"
	"slices"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/internal/lru"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/scheduler"
)

// Froms finds what Inspect finds, source by source and arch by arch, and
// computes no checksum.
func TestInspectorFromsAsInspect(t *testing.T) {
	t.Parallel()
	cache, src := inspectorFixture(t,
		sourcetest.Dir("multi", sourcetest.File("Dockerfile", "FROM golang:1.22 AS build\nFROM busybox AS unused\nFROM debian:trixie\nCOPY --from=build /go /go\nCOPY --from=alpine:3.20 /x /x\n")),
		sourcetest.Dir("perarch", sourcetest.File("Dockerfile", "ARG TARGETARCH\nFROM base:${TARGETARCH}\n")),
		sourcetest.Dir("linked", sourcetest.Link("Dockerfile", "../multi/Dockerfile")),
		sourcetest.Dir("oci", sourcetest.File("index.json", "{}")),
	)
	for _, c := range []struct {
		dir, file, builder, arch string
		want                     FromInfo
	}{
		{"multi", "Dockerfile", "", "amd64", FromInfo{[]string{"golang:1.22", "debian:trixie", "alpine:3.20"}, "debian:trixie"}},
		{"perarch", "Dockerfile", "", "amd64", FromInfo{[]string{"base:amd64"}, "base:amd64"}},
		{"perarch", "Dockerfile", "", "arm64v8", FromInfo{[]string{"base:arm64"}, "base:arm64"}},
		{"perarch", "Dockerfile", "", "s390x", FromInfo{[]string{"base:s390x"}, "base:s390x"}},
		{"linked", "Dockerfile", "", "ppc64le", FromInfo{[]string{"golang:1.22", "debian:trixie", "alpine:3.20"}, "debian:trixie"}},
		{"oci", "index.json", scheduler.BuilderOCIImport, "arm64v8", FromInfo{[]string{"scratch"}, "scratch"}},
	} {
		t.Run(c.dir+"/"+c.arch, func(t *testing.T) {
			t.Parallel()
			s := src
			s.Directory, s.File = c.dir, c.file
			fresh := NewInspector(cache)
			got, err := fresh.Froms(context.Background(), s, c.arch, c.builder)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Froms, c.want.Froms) || got.LastStageFrom != c.want.LastStageFrom {
				t.Errorf("Froms = %+v, want %+v", got, c.want)
			}
			if n := fresh.computed.Load(); n != 0 {
				t.Errorf("Froms computed %d checksums", n)
			}
			info, err := NewInspector(cache).Inspect(context.Background(), s, c.arch, c.builder)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(info.Froms, got.Froms) || info.LastStageFrom != got.LastStageFrom {
				t.Errorf("Inspect found %q (last %s), Froms %q (last %s)", info.Froms, info.LastStageFrom, got.Froms, got.LastStageFrom)
			}
		})
	}
}

// Froms fails as Inspect does on a source it cannot read, and keeps no
// failure.
func TestInspectorFromsErrors(t *testing.T) {
	t.Parallel()
	cache, src := inspectorFixture(t,
		sourcetest.Dir("bad", sourcetest.File("Dockerfile", "FROM $NOPE\n")),
		sourcetest.Dir("oci", sourcetest.File("index.json", "{}")),
		sourcetest.Dir("escape", sourcetest.Link("Dockerfile", "../../x")),
	)
	for _, c := range []struct{ dir, file, builder string }{
		{"bad", "Dockerfile", ""},
		{"missing", "Dockerfile", ""},
		{"oci", "nothere.json", scheduler.BuilderOCIImport},
		{"oci", "../bad/Dockerfile", scheduler.BuilderOCIImport}, // File may not leave an oci-import Directory
		{"escape", "Dockerfile", ""},
	} {
		t.Run(c.dir+"/"+c.file, func(t *testing.T) {
			t.Parallel()
			s := src
			s.Directory, s.File = c.dir, c.file
			in := NewInspector(cache)
			if _, err := in.Froms(context.Background(), s, "amd64", c.builder); err == nil {
				t.Error("Froms succeeded")
			}
			if _, err := in.Inspect(context.Background(), s, "amd64", c.builder); err == nil {
				t.Error("Inspect succeeded")
			}
			if n := in.froms.Len(); n != 0 {
				t.Errorf("%d results kept after failures", n)
			}
		})
	}
}

// The arches of a source, read at once or one after the other, share one
// read of the Dockerfile; it is not read again once the cache's
// repository is gone.
func TestInspectorFromsOneRead(t *testing.T) {
	t.Parallel()
	cache, src := inspectorFixture(t, sourcetest.File("Dockerfile", "ARG TARGETARCH\nFROM base:${TARGETARCH}\n"))
	in := NewInspector(cache)
	arches := []string{"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "ppc64le", "s390x"}
	var g errgroup.Group
	for _, arch := range arches {
		g.Go(func() error {
			_, err := in.Froms(context.Background(), src, arch, scheduler.BuilderBuildKit)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	repo := cacheRepository(t, cache)
	if err := os.Rename(repo, repo+".away"); err != nil {
		t.Fatal(err)
	}
	in.froms = lru.New[string, FromInfo](1) // FROMs forgotten, the text kept
	for _, arch := range arches {
		if _, err := in.Froms(context.Background(), src, arch, scheduler.BuilderBuildKit); err != nil {
			t.Fatalf("%s, again: %v", arch, err)
		}
	}
	if n := in.read.Load(); n != 1 {
		t.Errorf("the Dockerfile was read %d times for %d arches, want once", n, len(arches))
	}
}
