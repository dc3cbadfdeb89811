package source

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
)

// poll is Poll that fails the test on error.
func poll(t *testing.T, w *Watcher) (*Library, bool) {
	t.Helper()
	lib, changed, err := w.Poll(context.Background())
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	return lib, changed
}

// tagsOf returns the tags of the repo named name in lib.
func tagsOf(lib *Library, name string) []string {
	for _, r := range lib.Repos {
		if r.RepoName == name {
			var tags []string
			for _, e := range r.Entries() {
				tags = append(tags, e.Tags...)
			}
			return tags
		}
	}
	return nil
}

// A Watcher reads the library at its first poll, reads nothing while the
// branch stays, and reads each new commit: a tag added, a file broken
// (the other files still read), fixed again. The repository is served
// over git://, or read as a local path.
func TestWatcher(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"git daemon", "local path"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			var r *libraryRepo
			repo := ""
			if transport == "git daemon" {
				git := farmtest.GitDaemon(t)
				r, repo = newLibraryRepo(t, filepath.Join(git.Dir, "official-images")), git.URL("official-images")
			} else {
				r = newLibraryRepo(t, t.TempDir())
				repo = r.dir
			}
			r.write(map[string]string{
				"library/alpine":  libraryFile("alpine", "3.20"),
				"library/busybox": libraryFile("busybox", "1.36"),
				"README.md":       "not in the library\n",
			})
			first := r.commit("first")
			w := NewWatcher(openCache(t), repo, "")
			lib, changed := poll(t, w)
			if !changed || lib.Commit != first {
				t.Fatalf("first poll: changed %v, commit %s; want true, %s", changed, lib.Commit, first)
			}
			if diff := cmp.Diff([]string{"alpine", "busybox"}, repoNames(lib)); diff != "" {
				t.Errorf("repos (-want +got):\n%s", diff)
			}
			again, changed := poll(t, w)
			if changed || again != lib {
				t.Errorf("poll without a new commit: changed %v, same library %v; want false, true", changed, again == lib)
			}
			pollCommits(t, r, w)
		})
	}
}

// pollCommits commits to r, polling w after each commit.
func pollCommits(t *testing.T, r *libraryRepo, w *Watcher) {
	t.Helper()
	for _, step := range []struct {
		name   string
		files  map[string]string
		repos  []string
		tags   []string // of alpine
		errors []string // the start of each
	}{
		{"tag added", map[string]string{"library/alpine": libraryFile("alpine", "3.20", "3.21")},
			[]string{"alpine", "busybox"}, []string{"3.20", "3.21"}, nil},
		{"file broken", map[string]string{"library/busybox": "Maintainers: Jane Doe <jane@example.com> (@jane)\nTags: 1\n"},
			[]string{"alpine"}, []string{"3.20", "3.21"}, []string{"library/busybox:2: "}},
		{"file fixed", map[string]string{"library/busybox": libraryFile("busybox", "1.37")},
			[]string{"alpine", "busybox"}, []string{"3.20", "3.21"}, nil},
	} {
		r.write(step.files)
		id := r.commit(step.name)
		lib, changed := poll(t, w)
		if !changed || lib.Commit != id {
			t.Fatalf("%s: changed %v, commit %s; want true, %s", step.name, changed, lib.Commit, id)
		}
		if diff := cmp.Diff(step.repos, repoNames(lib)); diff != "" {
			t.Errorf("%s: repos (-want +got):\n%s", step.name, diff)
		}
		if diff := cmp.Diff(step.tags, tagsOf(lib, "alpine")); diff != "" {
			t.Errorf("%s: alpine's tags (-want +got):\n%s", step.name, diff)
		}
		checkErrors(t, step.errors, lib)
	}
}

// A poll that fails changes nothing: the next one tries again.
func TestWatcherErrors(t *testing.T) {
	t.Parallel()
	r := newLibraryRepo(t, t.TempDir())
	r.write(map[string]string{"README.md": "no library yet\n"})
	r.commit("no library")
	w := NewWatcher(openCache(t), r.dir, "main")
	if _, _, err := w.Poll(context.Background()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Poll of a commit without a library = %v, want fs.ErrNotExist", err)
	}
	r.write(map[string]string{"library/alpine": libraryFile("alpine", "3.20")})
	id := r.commit("library")
	if lib, changed := poll(t, w); !changed || lib.Commit != id {
		t.Errorf("poll after a failed one: changed %v, commit %s; want true, %s", changed, lib.Commit, id)
	}

	other := NewWatcher(openCache(t), r.dir, "nope")
	lib, changed, err := other.Poll(context.Background())
	if bnf := (*gitsource.BranchNotFoundError)(nil); !errors.As(err, &bnf) || lib != nil || changed {
		t.Errorf("Poll of an unknown branch = %v, %v, %v; want no library and a *gitsource.BranchNotFoundError", lib, changed, err)
	}
}

// Polls at once run one at a time: one reads the new commit, the others
// find it read.
func TestWatcherConcurrentPolls(t *testing.T) {
	t.Parallel()
	r := newLibraryRepo(t, t.TempDir())
	r.write(map[string]string{"library/alpine": libraryFile("alpine", "3.20")})
	r.commit("first")
	w := NewWatcher(openCache(t), r.dir, "main")
	libs := make([]*Library, 8)
	changed := make([]bool, len(libs))
	var g errgroup.Group
	for i := range libs {
		g.Go(func() (err error) {
			libs[i], changed[i], err = w.Poll(context.Background())
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	news := 0
	for i, lib := range libs {
		if changed[i] {
			news++
		}
		if lib != libs[0] {
			t.Errorf("poll %d returned another library", i)
		}
	}
	if news != 1 {
		t.Errorf("%d polls read the commit, want 1", news)
	}
}

// A poll waiting for another one stops when its ctx ends.
func TestWatcherPollCancelled(t *testing.T) {
	t.Parallel()
	w := NewWatcher(openCache(t), t.TempDir(), "main")
	w.turn <- struct{}{} // a poll in progress
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := w.Poll(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Poll = %v, want context.Canceled", err)
	}
}
