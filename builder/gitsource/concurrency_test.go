package gitsource

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"
)

// concurrencyFixture is a repository with a few files, and its source.
func concurrencyFixture(t *testing.T) Source {
	t.Helper()
	f := newFixture(t)
	for i := range 20 {
		f.write(fmt.Sprintf("dir%d/file%d", i%4, i), strings.Repeat("data", i), 0o644)
	}
	return Source{Repo: f.dir, Fetch: "refs/heads/main", Commit: f.commit("one", date1, date1)}
}

// fsck checks the cache repository of src is intact.
func fsck(t *testing.T, c *Cache, src Source) {
	t.Helper()
	cacheGit(t, c, src.Repo, "fsck", "--full", "--strict")
	if ref := cacheGit(t, c, src.Repo, "rev-parse", commitRefPrefix+src.Commit); ref != src.Commit {
		t.Errorf("%s%s = %q", commitRefPrefix, src.Commit, ref)
	}
}

// Eight goroutines ensuring one commit fetch it once: deduplicated by
// singleflight within a Cache, and by the repository's flock across Caches.
func TestEnsureConcurrentGoroutines(t *testing.T) {
	t.Parallel()
	src := concurrencyFixture(t)
	for _, tc := range []struct {
		name   string
		shared bool
	}{{"one cache", true}, {"eight caches", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bin, fetches := countingGit(t, "0.2")
			dir := filepath.Join(t.TempDir(), "cache")
			shared, err := Open(dir, WithGit(bin))
			if err != nil {
				t.Fatal(err)
			}
			sums := make([]string, 8)
			var g errgroup.Group
			for i := range sums {
				g.Go(func() error {
					c := shared
					if !tc.shared {
						var err error
						if c, err = Open(dir, WithGit(bin)); err != nil {
							return err
						}
					}
					commit, err := c.Ensure(context.Background(), src)
					if err != nil {
						return err
					}
					sums[i], err = commit.Checksum(context.Background(), ".")
					return err
				})
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			if n := fetches(); n != 1 {
				t.Errorf("%d fetches, want 1", n)
			}
			for i, sum := range sums {
				if sum != sums[0] {
					t.Errorf("goroutine %d: checksum %s, want %s", i, sum, sums[0])
				}
			}
			fsck(t, shared, src)
		})
	}
}

// Two processes ensuring one commit in one cache directory fetch it once
// and leave an intact repository.
func TestEnsureConcurrentProcesses(t *testing.T) {
	t.Parallel()
	src := concurrencyFixture(t)
	bin, fetches := countingGit(t, "0.2")
	dir := filepath.Join(t.TempDir(), "cache")
	cmds := make([]*exec.Cmd, 2)
	stdout := make([]bytes.Buffer, len(cmds))
	stderr := make([]bytes.Buffer, len(cmds))
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "GITSOURCE_HELPER=1", "GITSOURCE_CACHE="+dir, "GITSOURCE_GIT="+bin,
			"GITSOURCE_REPO="+src.Repo, "GITSOURCE_FETCH="+src.Fetch, "GITSOURCE_COMMIT="+src.Commit)
		cmd.Stdout, cmd.Stderr = &stdout[i], &stderr[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	var sums []string
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s%s", i, err, stdout[i].String(), stderr[i].String())
		}
		for line := range strings.SplitSeq(stdout[i].String(), "\n") {
			if sum, ok := strings.CutPrefix(line, "checksum="); ok {
				sums = append(sums, sum)
			}
		}
	}
	if len(sums) != 2 || sums[0] != sums[1] {
		t.Errorf("checksums %q, want two equal ones", sums)
	}
	if n := fetches(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	fsck(t, c, src)
}

// TestHelperProcess is one brewkit process of TestEnsureConcurrentProcesses.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GITSOURCE_HELPER") != "1" {
		t.Skip("run by TestEnsureConcurrentProcesses")
	}
	c, err := Open(os.Getenv("GITSOURCE_CACHE"), WithGit(os.Getenv("GITSOURCE_GIT")))
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Repo: os.Getenv("GITSOURCE_REPO"), Fetch: os.Getenv("GITSOURCE_FETCH"), Commit: os.Getenv("GITSOURCE_COMMIT")}
	commit := ensure(t, c, src)
	sum, err := commit.Checksum(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("checksum=%s\n", sum)
}
