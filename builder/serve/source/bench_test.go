package source

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// BenchmarkRead reads the official-images snapshot (144 files) from a
// commit already in the cache.
func BenchmarkRead(b *testing.B) {
	r := newLibraryRepo(b, b.TempDir())
	r.write(realLibraryFiles(b))
	r.commit("library")
	commit := head(b, openCache(b), r.dir)
	ctx := context.Background()
	for b.Loop() {
		lib, err := Read(ctx, commit, LibraryDir)
		if err != nil {
			b.Fatal(err)
		}
		if len(lib.Repos) != 144 {
			b.Fatalf("%d repos, want 144", len(lib.Repos))
		}
	}
}

// BenchmarkPollUnchanged polls a branch that has not moved since the
// last poll: one git fetch that finds nothing new.
func BenchmarkPollUnchanged(b *testing.B) {
	for _, transport := range []string{"local path", "git daemon"} {
		b.Run(transport, func(b *testing.B) {
			var r *libraryRepo
			repo := ""
			if transport == "git daemon" {
				git := farmtest.GitDaemon(b)
				r, repo = newLibraryRepo(b, filepath.Join(git.Dir, "official-images")), git.URL("official-images")
			} else {
				r = newLibraryRepo(b, b.TempDir())
				repo = r.dir
			}
			r.write(realLibraryFiles(b))
			r.commit("library")
			w := NewWatcher(openCache(b), repo, "main")
			ctx := context.Background()
			if _, changed, err := w.Poll(ctx); err != nil || !changed {
				b.Fatalf("first poll: %v, %v", changed, err)
			}
			for b.Loop() {
				if _, changed, err := w.Poll(ctx); err != nil || changed {
					b.Fatalf("poll: %v, %v", changed, err)
				}
			}
		})
	}
}
