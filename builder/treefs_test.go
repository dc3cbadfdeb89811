package builder

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tonistiigi/fsutil/types"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/sourcetest"
)

// treeCommit commits nodes in a repository of their own and returns the
// commit, ensured in a git cache, and the repository's directory.
func treeCommit(t testing.TB, nodes ...sourcetest.Node) (*gitsource.Commit, string) {
	t.Helper()
	r := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), "repo"))
	cache, err := gitsource.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.Ensure(context.Background(), gitsource.Source{Repo: r.Dir, Commit: r.CommitNodes(nodes...)})
	if err != nil {
		t.Fatal(err)
	}
	return c, r.Dir
}

// walk lists what Walk gives fn: "path mode [-> link]", skipping what skip
// names.
func walk(t *testing.T, tfs *treeFS, target string, skip map[string]error) []string {
	t.Helper()
	var got []string
	err := tfs.Walk(context.Background(), target, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*types.Stat)
		line := fmt.Sprintf("%s %v", p, fs.FileMode(st.Mode))
		if st.Linkname != "" {
			line += " -> " + st.Linkname
		}
		got = append(got, line)
		return skip[p]
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTreeFS(t *testing.T) {
	t.Parallel()
	F, X, L, D := sourcetest.File, sourcetest.Exec, sourcetest.Link, sourcetest.Dir
	commit, _ := treeCommit(t,
		F("Dockerfile", "FROM scratch\n"),
		X("run.sh", "#!/bin/sh\n"),
		D("a", F("x", "x"), D("b", F("y", "y")), F("z", "z")),
		F("a-b", "dash"),
		L("etc", "/etc"),
	)
	tfs, err := newTreeFS(context.Background(), commit, ".", time.Unix(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer tfs.Close()
	all := []string{
		"Dockerfile -rw-r--r--", "a drwxr-xr-x", "a/b drwxr-xr-x", "a/b/y -rw-r--r--", "a/x -rw-r--r--", "a/z -rw-r--r--",
		"a-b -rw-r--r--", "etc Lrwxrwxrwx -> /etc", "run.sh -rwxr-xr-x",
	}
	for _, tc := range []struct {
		name, target string
		skip         map[string]error
		want         []string
	}{
		{name: "all", target: "/", want: all},
		{name: "empty target", target: "", want: all},
		{name: "subtree", target: "a/b", want: []string{"a/b drwxr-xr-x", "a/b/y -rw-r--r--"}},
		{name: "file", target: "a-b", want: []string{"a-b -rw-r--r--"}},
		{name: "missing", target: "nope", want: nil},
		{name: "skip dir", target: "/", skip: map[string]error{"a/b": fs.SkipDir},
			want: []string{"Dockerfile -rw-r--r--", "a drwxr-xr-x", "a/b drwxr-xr-x", "a/x -rw-r--r--", "a/z -rw-r--r--", "a-b -rw-r--r--", "etc Lrwxrwxrwx -> /etc", "run.sh -rwxr-xr-x"}},
		{name: "skip rest of dir", target: "/", skip: map[string]error{"a/x": fs.SkipDir},
			want: []string{"Dockerfile -rw-r--r--", "a drwxr-xr-x", "a/b drwxr-xr-x", "a/b/y -rw-r--r--", "a/x -rw-r--r--", "a-b -rw-r--r--", "etc Lrwxrwxrwx -> /etc", "run.sh -rwxr-xr-x"}},
		{name: "skip all", target: "/", skip: map[string]error{"a": fs.SkipAll}, want: []string{"Dockerfile -rw-r--r--", "a drwxr-xr-x"}},
	} {
		if diff := cmp.Diff(tc.want, walk(t, tfs, tc.target, tc.skip)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	rc, err := tfs.Open("a/b/y")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != "y" {
		t.Errorf("Open(a/b/y) = %q, %v", b, err)
	}
	for _, p := range []string{"etc", "a", "nope", "../Dockerfile"} {
		if _, err := tfs.Open(p); err == nil {
			t.Errorf("Open(%q) succeeded; only regular files of the listing open", p)
		}
	}
}

// The chain: Directory phys/lnk, lnk -> s/.., s -> /etc/ssl. A
// checkout read through the host's filesystem sent the host's /etc; the
// tree's context is phys's three entries, links as links.
func TestTreeFSChainStaysInTree(t *testing.T) {
	t.Parallel()
	F, L, D := sourcetest.File, sourcetest.Link, sourcetest.Dir
	commit, _ := treeCommit(t, D("phys", F("Dockerfile", "FROM scratch\n"), L("lnk", "s/.."), L("s", "/etc/ssl")))
	tfs, err := newTreeFS(context.Background(), commit, "phys/lnk", time.Unix(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer tfs.Close()
	want := []string{"Dockerfile -rw-r--r--", "lnk Lrwxrwxrwx -> s/..", "s Lrwxrwxrwx -> /etc/ssl"}
	if got := walk(t, tfs, "/", nil); !cmp.Equal(got, want) {
		t.Errorf("context = %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}
