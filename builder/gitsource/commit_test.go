package gitsource

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// readFixture is a repository for ReadFile, Exists and Tree.
func readFixture(t *testing.T) (*fixture, *Commit) {
	t.Helper()
	f := newFixture(t)
	f.write("1.21/alpine/Dockerfile", "FROM alpine\n", 0o644)
	f.write("1.21/alpine/entrypoint.sh", "#!/bin/sh\n", 0o755)
	f.symlink("1.21/alpine/Dockerfile.link", "Dockerfile")
	f.symlink("1.21/alpine/chain", "Dockerfile.link")
	f.symlink("1.21/alpine/dangling", "missing")
	f.symlink("1.21/alpine/absolute", "/etc/passwd")
	f.symlink("1.21/alpine/outside", "../../../etc/passwd")
	f.symlink("1.21/alpine/loop", "loop")
	f.symlink("latest", "1.21/alpine")
	f.write("README.md", "hello\n", 0o644)
	id := f.commit("one", date1, date1)
	return f, ensure(t, openCache(t), Source{Repo: f.dir, Fetch: "refs/heads/main", Commit: id})
}

// TestRead runs the checks of readFixture's tree on one fixture.
func TestRead(t *testing.T) {
	t.Parallel()
	f, commit := readFixture(t)
	t.Run("ReadFile", func(t *testing.T) { t.Parallel(); testReadFile(t, f, commit) })
	t.Run("ReadFileNotFound", func(t *testing.T) { t.Parallel(); testReadFileNotFound(t, f, commit) })
	t.Run("Exists", func(t *testing.T) { t.Parallel(); testExists(t, commit) })
	t.Run("Tree", func(t *testing.T) { t.Parallel(); testTree(t, f, commit) })
}

func testReadFile(t *testing.T, f *fixture, commit *Commit) {
	id := commit.ID()
	for _, tc := range []struct {
		name, path, want, wantErr string
		notExist                  bool
	}{
		{name: "file", path: "1.21/alpine/Dockerfile", want: "FROM alpine\n"},
		{name: "unclean path", path: "./1.21//alpine/../alpine/Dockerfile", want: "FROM alpine\n"},
		{name: "symlink", path: "1.21/alpine/Dockerfile.link", want: "FROM alpine\n"},
		{name: "symlink chain", path: "1.21/alpine/chain", want: "FROM alpine\n"},
		{name: "missing", path: "1.21/alpine/Dockerfile.missing", notExist: true,
			wantErr: "Dockerfile.missing not found at " + id + ":1.21/alpine/Dockerfile.missing in " + f.dir},
		{name: "missing directory", path: "1.22/Dockerfile", notExist: true,
			wantErr: "Dockerfile not found at " + id + ":1.22/Dockerfile in " + f.dir},
		{name: "dangling symlink", path: "1.21/alpine/dangling", notExist: true,
			wantErr: "dangling not found at " + id + ":1.21/alpine/dangling in " + f.dir + " (it is a symlink to 1.21/alpine/missing)"},
		{name: "directory", path: "1.21/alpine", wantErr: "is a directory, not a file"},
		{name: "absolute symlink", path: "1.21/alpine/absolute", wantErr: "is an absolute symlink (/etc/passwd)"},
		{name: "symlink out", path: "1.21/alpine/outside", wantErr: "is a symlink out of the repository"},
		{name: "symlink loop", path: "1.21/alpine/loop", wantErr: "too many levels of symlinks"},
		{name: "escape", path: "../etc/passwd", wantErr: `File "../etc/passwd" escapes the repository`},
		{name: "absolute", path: "/etc/passwd", wantErr: `File "/etc/passwd" escapes the repository`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := commit.ReadFile(context.Background(), tc.path, 1<<20)
			if tc.wantErr == "" {
				if err != nil || string(got) != tc.want {
					t.Errorf("ReadFile(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ReadFile(%q) = %v, want an error containing %q", tc.path, err, tc.wantErr)
			}
			if errors.Is(err, fs.ErrNotExist) != tc.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v, want %v", err, !tc.notExist, tc.notExist)
			}
		})
	}
}

// The error for a missing Dockerfile is exactly what a maintainer reads.
func testReadFileNotFound(t *testing.T, f *fixture, commit *Commit) {
	_, err := commit.ReadFile(context.Background(), "1.21/bookworm/Dockerfile", 1<<20)
	want := "Dockerfile not found at " + commit.ID() + ":1.21/bookworm/Dockerfile in " + f.dir
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func testExists(t *testing.T, commit *Commit) {
	for _, tc := range []struct {
		path    string
		want    bool
		wantErr bool
	}{
		{path: "1.21/alpine/Dockerfile", want: true},
		{path: "1.21/alpine", want: true},
		{path: ".", want: true},
		{path: "latest", want: true},
		{path: "latest/Dockerfile", want: false}, // symlinks are followed only at the end
		{path: "1.21/alpine/Dockerfile.link", want: true},
		{path: "1.21/alpine/dangling", want: false},
		{path: "1.21/bookworm", want: false},
		{path: "../x", wantErr: true},
		{path: "1.21/alpine/absolute", wantErr: true},
	} {
		got, err := commit.Exists(context.Background(), tc.path)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("Exists(%q) = %v, %v; want %v, error %v", tc.path, got, err, tc.want, tc.wantErr)
		}
	}
}

// Time is the later of the author and committer times, in its zone.
func TestTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := openCache(t)
	tests := []struct {
		name, author, committer string
		want                    int64
		zone                    string
		id                      string
	}{
		{name: "committer later", author: "@1700000000 +0000", committer: "@1710000000 +0200", want: 1710000000, zone: "+0200"},
		{name: "author later", author: "@1720000000 -0130", committer: "@1710000000 +0200", want: 1720000000, zone: "-0130"},
		{name: "same", author: "@1700000000 +0000", committer: "@1700000000 +0000", want: 1700000000, zone: "+0000"},
	}
	for i := range tests {
		tests[i].id = f.commit(tests[i].name, tests[i].author, tests[i].committer)
	}
	ensure(t, c, Source{Repo: f.dir, Commit: tests[len(tests)-1].id}) // one fetch brings every commit
	for _, tc := range tests {
		got, err := ensure(t, c, Source{Repo: f.dir, Commit: tc.id}).Time(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got.Unix() != tc.want {
			t.Errorf("%s: Time = %v (%d), want %d", tc.name, got, got.Unix(), tc.want)
		}
		if name, _ := got.Zone(); name != tc.zone {
			t.Errorf("%s: Time zone = %q, want %q", tc.name, name, tc.zone)
		}
	}
}

func TestParseCommitTimes(t *testing.T) {
	t.Parallel()
	raw := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"author A <a@example.com> 1700000000 +0100\n" +
		"committer C <c@example.com> 1600000000 -0000\n" +
		"gpgsig -----BEGIN PGP SIGNATURE-----\n author X <x> 1 +0000\n -----END PGP SIGNATURE-----\n" +
		"\nmessage\nauthor Y <y> 2 +0000\n"
	author, committer, err := parseCommitTimes([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !author.Equal(time.Unix(1700000000, 0)) || !committer.Equal(time.Unix(1600000000, 0)) {
		t.Errorf("parseCommitTimes = %v, %v", author, committer)
	}
	for _, bad := range []string{
		"tree x\n",
		"author A <a> 1700000000\ncommitter C <c> 1 +0000\n",
		"author A <a> 17e9 +0000\ncommitter C <c> 1 +0000\n",
		"author A <a> 1 0100\ncommitter C <c> 1 +0000\n",
	} {
		if _, _, err := parseCommitTimes([]byte(bad)); err == nil {
			t.Errorf("parseCommitTimes(%q): no error", bad)
		}
	}
}
