package builder

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/internal/lru"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/scheduler"
)

// inspectorFixture commits nodes in a repository of their own and returns
// a git cache and the source of the commit's root directory.
func inspectorFixture(t *testing.T, nodes ...sourcetest.Node) (*gitsource.Cache, scheduler.Source) {
	t.Helper()
	r := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), "repo"))
	cache, err := gitsource.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	src := scheduler.Source{GitRepo: r.Dir, GitFetch: "refs/heads/main", GitCommit: r.CommitNodes(nodes...), Directory: ".", File: "Dockerfile"}
	return cache, src
}

func inspect(t *testing.T, in *Inspector, src scheduler.Source, arch string) scheduler.SourceInfo {
	t.Helper()
	info, err := in.Inspect(context.Background(), src, arch, scheduler.BuilderBuildKit)
	if err != nil {
		t.Fatalf("Inspect(%s, %s): %v", src, arch, err)
	}
	return info
}

// The arches of a source, inspected at once or one after the other,
// share one checksum computation.
func TestInspectorOnceForEveryArch(t *testing.T) {
	t.Parallel()
	cache, src := inspectorFixture(t, sourcetest.File("Dockerfile", "FROM busybox\n"))
	in := NewInspector(cache)
	arches := []string{"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "ppc64le", "s390x"}
	sums := make([]string, len(arches))
	var g errgroup.Group
	for i, arch := range arches {
		g.Go(func() error {
			info, err := in.Inspect(context.Background(), src, arch, scheduler.BuilderBuildKit)
			sums[i] = info.Checksum
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if again := inspect(t, in, src, "amd64"); again.Checksum != sums[0] {
		t.Errorf("checksum %s, then %s", sums[0], again.Checksum)
	}
	for i, s := range sums {
		if s == "" || s != sums[0] {
			t.Errorf("%s: checksum %q, want %q", arches[i], s, sums[0])
		}
	}
	if n := in.computed.Load(); n != 1 {
		t.Errorf("%d checksum computations for %d arches, want 1", n, len(arches)+1)
	}
}

// A checksum that failed is computed again by the next Inspect: here the
// cache's repository is gone for a while (the commit was ensured before,
// so Inspect does not fetch it again).
func TestInspectorForgetsFailures(t *testing.T) {
	t.Parallel()
	cache, src := inspectorFixture(t, sourcetest.File("Dockerfile", "FROM busybox\n"))
	if _, err := cache.Ensure(context.Background(), gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit}); err != nil {
		t.Fatal(err)
	}
	repo := cacheRepository(t, cache)
	if err := os.Rename(repo, repo+".away"); err != nil {
		t.Fatal(err)
	}
	in := NewInspector(cache)
	if _, err := in.Inspect(context.Background(), src, "amd64", scheduler.BuilderBuildKit); err == nil {
		t.Fatal("Inspect without the cache's repository succeeded")
	}
	if err := os.Rename(repo+".away", repo); err != nil {
		t.Fatal(err)
	}
	inspect(t, in, src, "amd64")
	inspect(t, in, src, "arm64v8")
	if n := in.computed.Load(); n != 2 {
		t.Errorf("%d checksum computations, want 2: the failed one, then one for both arches", n)
	}
}

// cacheRepository is the one repository directory of cache.
func cacheRepository(t *testing.T, cache *gitsource.Cache) string {
	t.Helper()
	entries, err := os.ReadDir(cache.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(cache.Dir(), e.Name()))
		}
	}
	if len(dirs) != 1 {
		t.Fatalf("repositories in the cache: %q, want one", dirs)
	}
	return dirs[0]
}

// An Inspector keeps a bounded number of checksums, forgetting the least
// recently used.
func TestInspectorBounded(t *testing.T) {
	t.Parallel()
	df := sourcetest.File("Dockerfile", "FROM busybox\n")
	cache, src := inspectorFixture(t, sourcetest.Dir("a", df), sourcetest.Dir("b", df), sourcetest.Dir("c", df))
	in := NewInspector(cache)
	in.sums = lru.New[string, contextSum](2)
	in.froms = lru.New[string, FromInfo](1) // no step inspects the source of the step before
	at := func(dir string) scheduler.Source {
		s := src
		s.Directory = dir
		return s
	}
	for _, step := range []struct {
		dir      string
		computed int64 // so far
	}{
		{"a", 1}, {"b", 2}, {"a", 2}, {"c", 3}, // b goes
		{"a", 3}, {"c", 3}, {"b", 4}, // a goes
		{"c", 4}, {"a", 5},
	} {
		inspect(t, in, at(step.dir), "amd64")
		if n := in.computed.Load(); n != step.computed {
			t.Fatalf("after inspecting %s: %d computations, want %d", step.dir, n, step.computed)
		}
	}
	if n := in.sums.Len(); n != 2 {
		t.Errorf("%d checksums kept, want 2", n)
	}
}

// What Inspect found is kept: inspecting a source and arch again reads
// nothing from git (here, the cache's repository is gone meanwhile), and
// gives the caller FROMs of its own; so is the Dockerfile, which another
// arch parses again without reading it. Another source of the same
// commit must be read, and fails.
func TestInspectorKeepsResults(t *testing.T) {
	t.Parallel()
	df := sourcetest.File("Dockerfile", "FROM busybox AS b\nFROM debian:trixie\nCOPY --from=b / /\n")
	cache, src := inspectorFixture(t, sourcetest.Dir("a", df), sourcetest.Dir("b", df))
	src.Directory = "a"
	in := NewInspector(cache)
	first := inspect(t, in, src, "amd64")
	first.Froms[0] = "changed by the caller"
	repo := cacheRepository(t, cache)
	if err := os.Rename(repo, repo+".away"); err != nil {
		t.Fatal(err)
	}
	want := []string{"busybox:latest", "debian:trixie"}
	for _, arch := range []string{"amd64", "arm64v8"} {
		again := inspect(t, in, src, arch)
		if !slices.Equal(again.Froms, want) || again.LastStageFrom != "debian:trixie" || again.Checksum != first.Checksum {
			t.Errorf("inspected again for %s: %+v, want FROMs %q and checksum %s", arch, again, want, first.Checksum)
		}
	}
	if n := in.read.Load(); n != 1 {
		t.Errorf("the Dockerfile was read %d times, want 1", n)
	}
	other := src
	other.Directory = "b"
	if _, err := in.Inspect(context.Background(), other, "amd64", scheduler.BuilderBuildKit); err == nil {
		t.Error("Inspect of another directory, without the cache's repository, succeeded")
	}
}
