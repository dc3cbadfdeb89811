package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/sourcetest"
)

// commitNodes commits nodes in a repository of their own (trees git's
// porcelain would refuse included) and ensures the commit in a cache.
func commitNodes(t *testing.T, nodes ...sourcetest.Node) *Commit {
	t.Helper()
	r := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), "repo"))
	return ensure(t, openCache(t), Source{Repo: r.Dir, Commit: r.CommitNodes(nodes...)})
}

// A Dir confines names and symlinks to itself: links may go anywhere
// inside it (as busybox's blobs link to ../../image-manifest.json), never
// out of it, even to elsewhere in the repository.
func TestDirConfinement(t *testing.T) {
	t.Parallel()
	F, L, D := sourcetest.File, sourcetest.Link, sourcetest.Dir
	commit := commitNodes(t,
		D("img",
			F("image-manifest.json", "{}"),
			D("blobs", D("sha256", L("m", "../../image-manifest.json"), L("out", "../../../other/x"), L("abs", "/etc/passwd"))),
			L("chain", "blobs/sha256/m"),
			F("big", strings.Repeat("b", 100)),
		),
		D("other", F("x", "x")),
		L("latest", "img"),
	)
	ctx := context.Background()
	for _, tc := range []struct {
		dir, name string
		want      string // the content, or
		wantErr   string
		notExist  bool
	}{
		{dir: "img", name: "blobs/sha256/m", want: "{}"},
		{dir: "img", name: "chain", want: "{}"},
		{dir: "latest", name: "blobs/sha256/m", want: "{}"}, // the Directory itself is a link, followed
		{dir: ".", name: "img/blobs/sha256/out", want: "x"}, // in the repository: fine from the root
		{dir: "img", name: "blobs/sha256/out", wantErr: "is a symlink out of img (../../../other/x)"},
		{dir: "img", name: "blobs/sha256/abs", wantErr: "is an absolute symlink"},
		{dir: "img", name: "../other/x", wantErr: `"../other/x" leaves the directory img`},
		{dir: "img", name: "../../etc/passwd", wantErr: "escapes the repository"},
		{dir: "img", name: "/etc/passwd", wantErr: "escapes the repository"},
		{dir: "img", name: "blobs", wantErr: "is a directory, not a file"},
		{dir: "img", name: "missing", wantErr: "missing not found", notExist: true},
		{dir: "img", name: "big", wantErr: "is 100 bytes, more than the 99 allowed"},
	} {
		t.Run(tc.dir+":"+tc.name, func(t *testing.T) {
			d, err := commit.Dir(ctx, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.ReadFile(ctx, tc.name, 99)
			if tc.wantErr == "" {
				if err != nil || string(got) != tc.want {
					t.Fatalf("ReadFile = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ReadFile = %v, want an error containing %q", err, tc.wantErr)
			}
			if errors.Is(err, fs.ErrNotExist) != tc.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, !tc.notExist)
			}
		})
	}
	if d, err := commit.Dir(ctx, "latest"); err != nil || d.Path() != "img" {
		t.Errorf(`Dir("latest").Path() = %v, %v; want "img"`, d, err)
	}
}

// Trees git would not check out are refused wherever they are listed.
func TestTreeRefusesWhatGitRefuses(t *testing.T) {
	t.Parallel()
	F, L, D := sourcetest.File, sourcetest.Link, sourcetest.Dir
	for _, tc := range []struct {
		name  string
		nodes []sourcetest.Node
		want  string
	}{
		{"link and directory", []sourcetest.Node{L("a", "/tmp"), D("a", F("x", "x"))}, `"a" is listed twice in the tree`},
		{"file twice", []sourcetest.Node{F("a", "1"), F("a", "2")}, `"a" is listed twice in the tree`},
		{"nested twice", []sourcetest.Node{D("d", F("a", "1"), L("a", "b"))}, `"d/a" is listed twice in the tree`},
		{"dotdot", []sourcetest.Node{D("..", F("x", "x"))}, `entry named ".."`},
		{"dot", []sourcetest.Node{D("d", D(".", F("x", "x")))}, `entry named "."`},
		{"dotgit", []sourcetest.Node{D(".git", F("config", ""))}, `entry named ".git"`},
		{"dotgit case", []sourcetest.Node{D("d", D(".Git", F("config", "")))}, `entry named ".Git"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			commit := commitNodes(t, append(tc.nodes, F("Dockerfile", "FROM scratch\n"))...)
			for _, call := range []func() error{
				func() error { _, err := commit.Tree(context.Background(), "."); return err },
				func() error { _, err := commit.Checksum(context.Background(), "."); return err },
			} {
				if err := call(); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want an error containing %q", err, tc.want)
				}
			}
		})
	}
}

// A blob read is exactly the size its entry says: longer or shorter is an
// error, not a truncated or short file.
func TestOpenChecksSize(t *testing.T) {
	t.Parallel()
	commit := commitNodes(t, sourcetest.File("f", "0123456789"))
	entries, err := commit.Tree(context.Background(), ".")
	if err != nil || len(entries) != 1 {
		t.Fatalf("Tree = %v, %v", entries, err)
	}
	for _, tc := range []struct {
		size    int64
		wantErr string
	}{
		{10, ""},
		{9, "longer than the 9 bytes listed"},
		{11, "unexpected EOF"},
		{0, "longer than the 0 bytes listed"},
	} {
		e := entries[0]
		e.Size = tc.size
		rc, err := commit.Open(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		switch {
		case tc.wantErr == "" && (err != nil || string(b) != "0123456789"):
			t.Errorf("size %d: %q, %v", tc.size, b, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("size %d: %q, %v; want an error containing %q", tc.size, b, err, tc.wantErr)
		case int64(len(b)) > tc.size:
			t.Errorf("size %d: read %d bytes", tc.size, len(b))
		}
	}
}

// A Batch serves concurrent reads from one git process, each checked
// against its listed size.
func TestBatch(t *testing.T) {
	t.Parallel()
	files := map[string]any{}
	for i := range 50 {
		files[fmt.Sprintf("d/f%02d", i)] = strings.Repeat(fmt.Sprint(i%10), i*100)
	}
	commit := commitNodes(t, sourcetest.Files(files)...)
	entries, err := commit.Tree(context.Background(), "d")
	if err != nil {
		t.Fatal(err)
	}
	b, err := commit.Batch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	for _, e := range entries {
		g.Go(func() error {
			data, err := b.Read(e)
			if want := files["d/"+e.Path]; err != nil || string(data) != want {
				return fmt.Errorf("Read(%s) = %d bytes, %v; want %d bytes", e.Path, len(data), err, len(want.(string)))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Error(err)
	}
	lying := entries[1]
	lying.Size++
	if _, err := b.Read(lying); err == nil || !strings.Contains(err.Error(), "listed as") {
		t.Errorf("Read of a wrong size: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := b.Read(entries[0]); err == nil {
		t.Error("Read after Close succeeded")
	}
}
