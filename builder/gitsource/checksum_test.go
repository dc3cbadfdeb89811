package gitsource

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// goldenFixture is a small tree with every kind of entry bashbrew's
// checksum distinguishes.
func goldenFixture(t *testing.T) (*fixture, *Commit) {
	t.Helper()
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\nCOPY . /\n", 0o644)
	f.write("docker-entrypoint.sh", "#!/bin/sh\nexec \"$@\"\n", 0o755)
	f.write("conf/app.conf", "key=value\n", 0o644)
	f.symlink("conf/current", "app.conf")
	f.symlink("conf/dangling", "../missing")
	f.write("a/x", "x\n", 0o644)
	f.write("a-b", "dash\n", 0o644)
	id := f.commit("golden", date1, date2)
	return f, ensure(t, openCache(t), Source{Repo: f.dir, Commit: id})
}

// handEntry is one entry of a scrubbed tar, written out by hand.
type handEntry struct {
	typ        byte
	name, link string
	mode       int64
	body       string
}

// handChecksum builds bashbrew's scrubbed tar from a hand-written list,
// independently of Archive: headers with only type, name, link, size and
// mode; flushed, not closed.
func handChecksum(t *testing.T, entries []handEntry) string {
	t.Helper()
	h := sha256.New()
	tw := tar.NewWriter(h)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: e.mode, Size: int64(len(e.body))}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// goldenRoot pins the checksum of goldenFixture's root: if it changes while
// the hand-built comparison still passes, archive/tar's output changed, and
// bashbrew's checksums would change with it.
const goldenRoot = "2175d0583621b7a22b5031dba6642d111eee773d75a854b40937c1f744151bdc"

// TestGolden runs the checks of goldenFixture's tree on one fixture.
func TestGolden(t *testing.T) {
	t.Parallel()
	_, commit := goldenFixture(t)
	t.Run("Checksum", func(t *testing.T) { t.Parallel(); testChecksumGolden(t, commit) })
	t.Run("TreeOrder", func(t *testing.T) { t.Parallel(); testTreeOrder(t, commit) })
	t.Run("Archive", func(t *testing.T) { t.Parallel(); testArchive(t, commit) })
}

func testChecksumGolden(t *testing.T, commit *Commit) {
	conf := []handEntry{
		{typ: tar.TypeReg, name: "app.conf", mode: 0o664, body: "key=value\n"},
		{typ: tar.TypeSymlink, name: "current", link: "app.conf", mode: 0o777},
		{typ: tar.TypeSymlink, name: "dangling", link: "../missing", mode: 0o777},
	}
	root := []handEntry{
		{typ: tar.TypeReg, name: "Dockerfile", mode: 0o664, body: "FROM scratch\nCOPY . /\n"},
		{typ: tar.TypeDir, name: "a/", mode: 0o775},
		{typ: tar.TypeReg, name: "a/x", mode: 0o664, body: "x\n"},
		{typ: tar.TypeReg, name: "a-b", mode: 0o664, body: "dash\n"},
		{typ: tar.TypeDir, name: "conf/", mode: 0o775},
	}
	for _, e := range conf {
		e.name = "conf/" + e.name
		root = append(root, e)
	}
	root = append(root, handEntry{typ: tar.TypeReg, name: "docker-entrypoint.sh", mode: 0o775, body: "#!/bin/sh\nexec \"$@\"\n"})

	for _, tc := range []struct {
		dir     string
		entries []handEntry
	}{
		{".", root},
		{"conf", conf},
		{"./conf/", conf},
		{"a", []handEntry{{typ: tar.TypeReg, name: "x", mode: 0o664, body: "x\n"}}},
	} {
		got, err := commit.Checksum(context.Background(), tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := handChecksum(t, tc.entries); got != want {
			t.Errorf("Checksum(%q) = %s, want %s", tc.dir, got, want)
		}
		if tc.dir == "." && got != goldenRoot {
			t.Errorf("Checksum(%q) = %s, want the pinned %s", tc.dir, got, goldenRoot)
		}
	}
}

// scrub rewrites a git archive tar the way bashbrew's own check does
// (docker-library/bashbrew#89): headers reduced to type, name, link, size
// and mode; flushed, not closed.
func scrub(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var out bytes.Buffer
	tr, tw := tar.NewReader(r), tar.NewWriter(&out)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		clean := &tar.Header{Typeflag: hdr.Typeflag, Name: hdr.Name, Linkname: hdr.Linkname, Size: hdr.Size, Mode: hdr.Mode}
		if err := tw.WriteHeader(clean); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// Where git's tree order and bashbrew's sorted walk agree, Archive equals
// `git archive COMMIT:DIR/ | scrub`, an independent implementation.
func TestArchiveMatchesGitArchive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	long := strings.Repeat("deep/", 25) + "file.txt"
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	f.write("bin/run", "#!/bin/sh\n", 0o755)
	f.write(long, "long\n", 0o644)
	f.write("ünïcödé/ñame.txt", "unicode\n", 0o644)
	f.write("big.bin", strings.Repeat("0123456789", 100000), 0o644)
	f.write("empty", "", 0o644)
	f.symlink("link", "Dockerfile")
	f.symlink("deep/abs", "/etc/passwd")
	if err := os.MkdirAll(filepath.Join(f.dir, "vendor/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.git("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("5", 40)+",vendor/sub")
	id := f.commit("archive", date1, date1)
	commit := ensure(t, openCache(t), Source{Repo: f.dir, Commit: id})

	for _, dir := range []string{".", "deep", "vendor", "bin"} {
		rev := id + ":" + dir + "/"
		if dir == "." {
			rev = id + ":"
		}
		out, err := exec.Command("git", "-C", f.dir, "archive", "--format=tar", rev).Output()
		if err != nil {
			t.Fatalf("git archive %s: %v", rev, err)
		}
		var got bytes.Buffer
		if err := commit.Archive(context.Background(), dir, &got); err != nil {
			t.Fatal(err)
		}
		if want := scrub(t, bytes.NewReader(out)); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("Archive(%q) differs from scrubbed git archive:\n%s", dir, cmp.Diff(tarList(t, want), tarList(t, got.Bytes())))
		}
	}
}

// A submodule is an empty directory, inside a tree or as the Directory.
func TestChecksumSubmodule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	if err := os.MkdirAll(filepath.Join(f.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.git("update-index", "--add", "--cacheinfo", "160000,"+strings.Repeat("5", 40)+",sub")
	commit := ensure(t, openCache(t), Source{Repo: f.dir, Commit: f.commit("submodule", date1, date1)})
	for _, tc := range []struct {
		dir     string
		entries []handEntry
	}{
		{".", []handEntry{
			{typ: tar.TypeReg, name: "Dockerfile", mode: 0o664, body: "FROM scratch\n"},
			{typ: tar.TypeDir, name: "sub/", mode: 0o775},
		}},
		{"sub", nil},
	} {
		got, err := commit.Checksum(context.Background(), tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := handChecksum(t, tc.entries); got != want {
			t.Errorf("Checksum(%q) = %s, want %s", tc.dir, got, want)
		}
	}
}

// tarList lists a tar's headers for diffs.
func tarList(t *testing.T, b []byte) []string {
	t.Helper()
	var list []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return list
		}
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, string(hdr.Typeflag)+" "+hdr.Name+" -> "+hdr.Linkname+" "+fs.FileMode(hdr.Mode).String())
	}
}

// bashbrew walks each directory sorted by name, so "a/…" comes before
// "a-b", while git archive follows git's tree order ("a-b" before "a/").
func testTreeOrder(t *testing.T, commit *Commit) {
	entries, err := commit.Tree(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Path)
	}
	want := []string{"Dockerfile", "a", "a/x", "a-b", "conf", "conf/app.conf", "conf/current", "conf/dangling", "docker-entrypoint.sh"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Tree order (-want +got):\n%s", diff)
	}
}

func testTree(t *testing.T, f *fixture, commit *Commit) {
	blob := func(p string) string { return f.git("rev-parse", commit.ID()+":"+p) }
	want := []Entry{
		{Path: "Dockerfile", Mode: 0o664, Size: 12, Object: blob("1.21/alpine/Dockerfile")},
		{Path: "Dockerfile.link", Mode: fs.ModeSymlink | 0o777, Size: 10, Object: blob("1.21/alpine/Dockerfile.link")},
		{Path: "absolute", Mode: fs.ModeSymlink | 0o777, Size: 11, Object: blob("1.21/alpine/absolute")},
		{Path: "chain", Mode: fs.ModeSymlink | 0o777, Size: 15, Object: blob("1.21/alpine/chain")},
		{Path: "dangling", Mode: fs.ModeSymlink | 0o777, Size: 7, Object: blob("1.21/alpine/dangling")},
		{Path: "entrypoint.sh", Mode: 0o775, Size: 10, Object: blob("1.21/alpine/entrypoint.sh")},
		{Path: "loop", Mode: fs.ModeSymlink | 0o777, Size: 4, Object: blob("1.21/alpine/loop")},
		{Path: "outside", Mode: fs.ModeSymlink | 0o777, Size: 19, Object: blob("1.21/alpine/outside")},
	}
	for _, dir := range []string{"1.21/alpine", "latest"} { // "latest" is a symlink to it
		got, err := commit.Tree(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tree(%q) (-want +got):\n%s", dir, diff)
		}
	}
	for _, tc := range []struct{ dir, want string }{
		{"README.md", `Directory "README.md" at ` + commit.ID() + " in " + f.dir + " is a file, not a directory"},
		{"1.22", "1.22 not found at " + commit.ID() + ":1.22 in " + f.dir},
		{"../x", `Directory "../x" escapes the repository`},
	} {
		if _, err := commit.Checksum(context.Background(), tc.dir); err == nil || err.Error() != tc.want {
			t.Errorf("Checksum(%q) = %v, want %q", tc.dir, err, tc.want)
		}
	}
}

// The checksum depends only on the tree under the directory: not on the
// commit, its dates or message, nor on files elsewhere; and every content or
// mode change shows.
func TestChecksumStability(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write("app/Dockerfile", "FROM scratch\n", 0o644)
	f.write("app/run.sh", "#!/bin/sh\n", 0o644)
	f.symlink("app/link", "run.sh")
	commits := map[string]string{"base": f.commit("base", date1, date1)}
	commits["other dates"] = f.commit("same tree, other dates", date2, date2)
	f.write("elsewhere/README", "unrelated\n", 0o644)
	if err := os.MkdirAll(filepath.Join(f.dir, "app/empty/nested"), 0o755); err != nil {
		t.Fatal(err)
	}
	commits["unrelated change and empty dir"] = f.commit("unrelated", date1, date1)
	f.write("app/run.sh", "#!/bin/sh\n", 0o755)
	commits["executable bit"] = f.commit("chmod", date1, date1)
	f.write("app/run.sh", "#!/bin/sh\necho\n", 0o755)
	commits["content"] = f.commit("content", date1, date1)
	if err := os.Remove(filepath.Join(f.dir, "app/link")); err != nil {
		t.Fatal(err)
	}
	f.symlink("app/link", "Dockerfile")
	commits["symlink target"] = f.commit("relink", date1, date1)
	f.write("app/sub/file", "", 0o644)
	commits["new directory"] = f.commit("subdir", date1, date1)

	c := openCache(t)
	ensure(t, c, Source{Repo: f.dir, Commit: commits["new directory"]}) // one fetch brings every commit
	sums := map[string]string{}
	for name, id := range commits {
		sum, err := ensure(t, c, Source{Repo: f.dir, Commit: id}).Checksum(context.Background(), "app")
		if err != nil {
			t.Fatal(err)
		}
		sums[name] = sum
	}
	for _, same := range []string{"other dates", "unrelated change and empty dir"} {
		if sums[same] != sums["base"] {
			t.Errorf("%s: checksum %s, want the base's %s", same, sums[same], sums["base"])
		}
	}
	seen := map[string]string{}
	for _, name := range []string{"base", "executable bit", "content", "symlink target", "new directory"} {
		if prev, ok := seen[sums[name]]; ok {
			t.Errorf("%s: same checksum as %s", name, prev)
		}
		seen[sums[name]] = name
	}
}

// The archive is what bashbrew context writes: scrubbed headers, symlinks
// not followed, no end-of-archive blocks, and sha256 equal to Checksum.
func testArchive(t *testing.T, commit *Commit) {
	var buf bytes.Buffer
	if err := commit.Archive(context.Background(), "conf", &buf); err != nil {
		t.Fatal(err)
	}
	sum, err := commit.Checksum(context.Background(), "conf")
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(buf.Bytes()); hex.EncodeToString(got[:]) != sum {
		t.Errorf("sha256(Archive) = %x, Checksum = %s", got, sum)
	}
	b := buf.Bytes()
	if len(b)%512 != 0 || bytes.Equal(b[len(b)-512:], make([]byte, 512)) {
		t.Errorf("archive of %d bytes ends with a zero block: want no end-of-archive marker", len(b))
	}
	type header struct {
		Typeflag           byte
		Name, Linkname     string
		Size, Mode         int64
		Uid, Gid           int
		Uname, Gname       string
		ModTime            int64
		Devmajor, Devminor int64
		PAXRecords         map[string]string
		Content            string
	}
	var got []header
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, header{hdr.Typeflag, hdr.Name, hdr.Linkname, hdr.Size, hdr.Mode, hdr.Uid, hdr.Gid,
			hdr.Uname, hdr.Gname, hdr.ModTime.Unix(), hdr.Devmajor, hdr.Devminor, hdr.PAXRecords, string(content)})
	}
	want := []header{
		{Typeflag: tar.TypeReg, Name: "app.conf", Size: 10, Mode: 0o664, Content: "key=value\n"},
		{Typeflag: tar.TypeSymlink, Name: "current", Linkname: "app.conf", Mode: 0o777},
		{Typeflag: tar.TypeSymlink, Name: "dangling", Linkname: "../missing", Mode: 0o777},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Archive headers (-want +got):\n%s", diff)
	}
}
