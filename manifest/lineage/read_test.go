package lineage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brewkit/brewkit/manifest"
)

// entryArchs counts the jobs of repos with opts.
func entryArchs(repos []*manifest.Repo, opts Options) int {
	_, jobs := opts.expand(repos)
	return len(jobs)
}

// The FROMs are read at once and printed in library order: here the
// library's first entry is read last, once every other job is done.
func TestReadConcurrently(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	n := entryArchs(repos, Options{})
	var others sync.WaitGroup
	others.Add(n - 1)
	read := readMap(froms)
	opts := Options{Jobs: n, Froms: func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
		if r.RepoName == "app" && e.Tags[0] == "1" && arch == "amd64" {
			done := make(chan struct{})
			go func() { others.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				return nil, errors.New("the other jobs are not read meanwhile")
			}
		} else {
			defer others.Done()
		}
		return read(ctx, r, e, arch)
	}}
	var got []string
	err := Froms(context.Background(), repos, opts, func(r *manifest.Repo, e *manifest.Entry, fs []string) error {
		got = append(got, r.RepoName+":"+e.Tags[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app:1", "app:1-s390x", "app:1-old", "base:1", "base:1-win", "base:2", "mid:1", "winapp:1", "winapp:2"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// No more than Jobs reads run at once.
func TestReadLimit(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	for _, jobs := range []int{1, 2, 5} {
		var now, most atomic.Int32
		read := readMap(froms)
		opts := Options{Jobs: jobs, Froms: func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
			n := now.Add(1)
			defer now.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			return read(ctx, r, e, arch)
		}}
		if _, err := NewGraph(context.Background(), repos, opts); err != nil {
			t.Fatal(err)
		}
		if m := most.Load(); m > int32(jobs) {
			t.Errorf("Jobs %d: %d reads at once", jobs, m)
		}
	}
}

// The error is the first in library order, even when a later entry fails
// first; the entries before it are printed, those after it are not.
func TestReadErrorOrder(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	laterFailed := make(chan struct{})
	var once sync.Once
	read := readMap(froms)
	opts := Options{Jobs: entryArchs(repos, Options{}), Froms: func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
		switch r.RepoName + ":" + e.Tags[0] {
		case "base:2":
			if arch == "amd64" {
				select {
				case <-laterFailed:
				case <-time.After(10 * time.Second):
					return nil, errors.New("winapp:2 is not read meanwhile")
				}
				return nil, errors.New("the earlier failure")
			}
		case "winapp:2":
			once.Do(func() { close(laterFailed) })
			return nil, errors.New("the later failure")
		}
		return read(ctx, r, e, arch)
	}}
	var got []string
	err := Froms(context.Background(), repos, opts, func(r *manifest.Repo, e *manifest.Entry, fs []string) error {
		got = append(got, r.RepoName+":"+e.Tags[0])
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "the earlier failure") || !strings.Contains(err.Error(), `base (tags "2") on amd64`) {
		t.Errorf("error %v, want the earlier failure, naming base:2 on amd64", err)
	}
	if want := []string{"app:1", "app:1-s390x", "app:1-old", "base:1", "base:1-win"}; !slices.Equal(got, want) {
		t.Errorf("printed %q, want %q", got, want)
	}
	if _, err := NewGraph(context.Background(), repos, opts); err == nil || !strings.Contains(err.Error(), "the earlier failure") {
		t.Errorf("NewGraph: %v, want the earlier failure", err)
	}
}

// A cancelled context stops the reads.
func TestReadCancelled(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts := Options{Froms: func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
		return nil, ctx.Err()
	}}
	if _, err := NewGraph(ctx, repos, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("NewGraph: %v, want %v", err, context.Canceled)
	}
}

// Reads start with the first job of each commit, the repositories in
// turn, then the others in library order.
func TestStartOrder(t *testing.T) {
	t.Parallel()
	const c1, c2, c3 = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333"
	for _, c := range []struct {
		name    string
		x, y    string // library files
		want    []int
		comment string
	}{
		{
			name: "by commit",
			// jobs: 0 x:a amd64 (c1), 1 x:a arm64v8 (c1), 2 x:b (c2), 3 x:c (c1), 4 y:d (c3)
			x:    "GitCommit: " + c1 + "\n\nTags: a\nArchitectures: amd64, arm64v8\n\nTags: b\nGitCommit: " + c2 + "\n\nTags: c\nDirectory: c\n",
			y:    "GitCommit: " + c3 + "\n\nTags: d\n",
			want: []int{0, 4, 2, 1, 3},
		},
		{
			name: "per-arch commit",
			// jobs: 0 x:a amd64 (c1), 1 x:a arm64v8 (c2), 2 x:b (c1), 3 y:d (c3)
			x:    "GitCommit: " + c1 + "\n\nTags: a\nArchitectures: amd64, arm64v8\narm64v8-GitCommit: " + c2 + "\n\nTags: b\nDirectory: b\n",
			y:    "GitCommit: " + c3 + "\n\nTags: d\n",
			want: []int{0, 3, 1, 2},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var repos []*manifest.Repo
			for name, text := range map[string]string{"x": c.x, "y": c.y} {
				m, err := manifest.ParseString(name, "Maintainers: T <t@example.com> (@t)\nGitRepo: https://example.com/"+name+".git\n"+text)
				if err != nil {
					t.Fatal(err)
				}
				repos = append(repos, &manifest.Repo{RepoName: name, Manifest: m})
			}
			slices.SortFunc(repos, func(a, b *manifest.Repo) int { return strings.Compare(a.RepoName, b.RepoName) })
			_, jobs := Options{}.expand(repos)
			if got := startOrder(jobs); !slices.Equal(got, c.want) {
				t.Errorf("startOrder = %v, want %v", got, c.want)
			}
		})
	}
}
