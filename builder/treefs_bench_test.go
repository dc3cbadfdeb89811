package builder

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tonistiigi/fsutil"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/sourcetest"
)

// BenchmarkLocalContext sends a local build context of files files (4 KiB
// each, 10 to a directory) with BuildKit's file sync, as a solve does:
// "tree" reads it from git's objects (treeFS, what brewkit does), and
// "checkout" is the baseline, the way brewkit did it before: git archive
// extracted into a directory, sent from the host's filesystem.
func BenchmarkLocalContext(b *testing.B) {
	for _, files := range []int{10, 100, 1000} {
		commit, repo := benchContext(b, files)
		b.Run(fmt.Sprintf("files=%d/tree", files), func(b *testing.B) {
			for b.Loop() {
				tfs, err := newTreeFS(context.Background(), commit, ".", time.Unix(0, 0))
				if err != nil {
					b.Fatal(err)
				}
				err = receive(context.Background(), tfs, b.TempDir())
				if cerr := tfs.Close(); err != nil || cerr != nil {
					b.Fatal(err, cerr)
				}
			}
		})
		b.Run(fmt.Sprintf("files=%d/checkout", files), func(b *testing.B) {
			for b.Loop() {
				dir := b.TempDir()
				archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", repo, commit.ID(), dir)
				if out, err := archive.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
				hostFS, err := fsutil.NewFS(dir)
				if err != nil {
					b.Fatal(err)
				}
				if err := receive(context.Background(), hostFS, b.TempDir()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchContext commits files files and returns the commit and the
// repository's directory.
func benchContext(b *testing.B, files int) (*gitsource.Commit, string) {
	b.Helper()
	m := map[string]any{"Dockerfile": "FROM scratch\nCOPY . /\n"}
	for i := range files {
		m[fmt.Sprintf("d%03d/f%04d", i/10, i)] = strings.Repeat(fmt.Sprint(i%10), 4096)
	}
	return treeCommit(b, sourcetest.Files(m)...)
}
