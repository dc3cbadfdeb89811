package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/manifest"
)

// realLibrary is the official-images snapshot in ../shared, absolute.
func realLibrary(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "conformance", "official-images", "library"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no official-images snapshot: %v", err)
	}
	return dir
}

// realLibraryFiles returns the snapshot's files as library/NAME → content.
func realLibraryFiles(t testing.TB) map[string]string {
	t.Helper()
	dir := realLibrary(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files["library/"+e.Name()] = string(data)
	}
	return files
}

// Read gives the repos, and the errors, that manifest.Loader gives for the
// same files in a checkout, loaded as brewkit list --all --library library
// loads them: every field, exported or not, is compared.
func TestReadLikeLoader(t *testing.T) {
	broken := map[string]string{
		"library/good":    libraryFile("good", "1.0", "latest"),
		"library/warned":  libraryFile("warned", "2") + "Unknown: field\n",
		"library/broken":  libraryFile("broken", "1") + "\nTags: 2\nGitCommit: nothex\n",
		"library/garbage": "\x00\x01 not a manifest\n",
		"library/empty":   "",
	}
	for _, tc := range []struct {
		name  string
		files func(testing.TB) map[string]string
		repos int
	}{
		{"real library", realLibraryFiles, 144},
		{"broken files", func(testing.TB) map[string]string { return broken }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r := newLibraryRepo(t, dir)
			r.write(tc.files(t))
			id := r.commit("library")
			lib := read(t, dir)

			t.Chdir(dir)
			want, wantErrs := loadAll(t, "library")
			opt := cmp.Exporter(func(reflect.Type) bool { return true })
			if diff := cmp.Diff(want, lib.Repos, opt); diff != "" {
				t.Errorf("Repos differ from manifest.Loader's (-loader +Read):\n%s", diff)
			}
			if diff := cmp.Diff(wantErrs, errorTexts(lib)); diff != "" {
				t.Errorf("Errors differ from manifest.Loader's (-loader +Read):\n%s", diff)
			}
			if len(lib.Repos) != tc.repos {
				t.Errorf("%d repos, want %d", len(lib.Repos), tc.repos)
			}
			if lib.Commit != id || !lib.Time.Equal(time.Unix(1700000000, 0)) {
				t.Errorf("Commit, Time = %s, %v; want %s, 2023-11-14T22:13:20Z", lib.Commit, lib.Time, id)
			}
		})
	}
}

// loadAll loads every file of the library directory dir as brewkit list
// --all --library dir does, and returns the repos and the messages of
// the files that failed.
func loadAll(t *testing.T, dir string) ([]*manifest.Repo, []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	loader := manifest.Loader{Library: dir}
	var (
		repos []*manifest.Repo
		errs  []string
	)
	for _, e := range entries {
		r, err := loader.Load(context.Background(), filepath.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		repos = append(repos, r)
	}
	return repos, errs
}

// Entries that are not library files are errors naming them, and the
// other files are read: symlinks (never followed, wherever they point),
// subdirectories, names that are not repository names, files that do not
// parse or are too large.
func TestReadLeavesOut(t *testing.T) {
	t.Parallel()
	good := sourcetest.File("good", libraryFile("good", "1"))
	for _, tc := range []struct {
		name   string
		nodes  []sourcetest.Node
		repos  []string
		errors []string // the start of each
	}{
		{"symlinks", []sourcetest.Node{
			good,
			sourcetest.Link("abs", "/etc/passwd"),
			sourcetest.Link("out", "../secret"),
			sourcetest.Link("same", "good"),
		}, []string{"good"}, []string{
			"library/abs: a symlink; symlinks in the library are not followed",
			"library/out: a symlink; symlinks in the library are not followed",
			"library/same: a symlink; symlinks in the library are not followed",
		}},
		{"subdirectory", []sourcetest.Node{
			good,
			sourcetest.Dir("sub", sourcetest.File("inner", libraryFile("inner", "1"))),
		}, []string{"good"}, []string{"library/sub: a directory (the library holds files only); not read"}},
		{"names", []sourcetest.Node{
			sourcetest.File(".hidden", libraryFile("x", "1")),
			sourcetest.File("Upper", libraryFile("x", "1")),
			sourcetest.File("a--b", libraryFile("x", "1")),
			sourcetest.File("a.b", libraryFile("x", "1")),
			sourcetest.File("a:b", libraryFile("x", "1")),
			sourcetest.File("a__b", libraryFile("x", "1")),
			sourcetest.File("tail-", libraryFile("x", "1")),
		}, []string{"a--b", "a.b", "a__b"}, []string{
			`library/.hidden: not a repository name (lowercase letters and digits, separated by ".", "_", "__" or "-"); not read`,
			`library/Upper: not a repository name (lowercase letters and digits, separated by ".", "_", "__" or "-"); not read`,
			`library/a:b: not a repository name (lowercase letters and digits, separated by ".", "_", "__" or "-"); not read`,
			`library/tail-: not a repository name (lowercase letters and digits, separated by ".", "_", "__" or "-"); not read`,
		}},
		{"executable", []sourcetest.Node{sourcetest.Exec("good", libraryFile("good", "1"))}, []string{"good"}, nil},
		{"size", []sourcetest.Node{
			sourcetest.File("atlimit", padded(libraryFile("atlimit", "1"), MaxFileSize)),
			sourcetest.File("big", padded(libraryFile("big", "1"), MaxFileSize+1)),
		}, []string{"atlimit"}, []string{"library/big: 4194305 bytes, more than the 4194304 a library file may have; not read"}},
		{"does not parse", []sourcetest.Node{
			good,
			sourcetest.File("broken", libraryFile("broken", "1")+"\nTags: 2\nGitCommit: nothex\n"),
			sourcetest.Link("link", "good"),
		}, []string{"good"}, []string{
			`library/broken:8: Tags "2": invalid GitCommit "nothex"`,
			"library/link: a symlink",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := sourcetest.NewRepo(t, t.TempDir())
			r.CommitNodes(sourcetest.Dir("library", tc.nodes...), sourcetest.File("secret", "not a library file"))
			lib := read(t, r.Dir)
			if diff := cmp.Diff(tc.repos, repoNames(lib)); diff != "" {
				t.Errorf("repos (-want +got):\n%s", diff)
			}
			checkErrors(t, tc.errors, lib)
			for _, err := range lib.Errors {
				if fe := (*FileError)(nil); !errors.As(err, &fe) || fe.File != "library/"+fe.Name {
					t.Errorf("%v: want a *FileError whose File is library/Name", err)
				}
			}
		})
	}
}

// padded is text followed by comment lines up to size bytes.
func padded(text string, size int64) string {
	pad := int(size) - len(text)
	return text + strings.Repeat("#\n", pad/2) + strings.Repeat("#", pad%2)
}

// A file that does not parse is a *FileError whose Err is manifest's
// ErrorList, each problem with its file and line.
func TestReadParseError(t *testing.T) {
	t.Parallel()
	r := sourcetest.NewRepo(t, t.TempDir())
	r.CommitNodes(sourcetest.Dir("library",
		sourcetest.File("broken", "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\n\nTags: 1\n"),
	))
	lib := read(t, r.Dir)
	if len(lib.Errors) != 1 || len(lib.Repos) != 0 {
		t.Fatalf("Repos %v, Errors %v; want one error", repoNames(lib), lib.Errors)
	}
	var fe *FileError
	var list manifest.ErrorList
	if !errors.As(lib.Errors[0], &fe) || !errors.As(lib.Errors[0], &list) {
		t.Fatalf("%v: want a *FileError wrapping a manifest.ErrorList", lib.Errors[0])
	}
	if fe.File != "library/broken" || fe.Name != "broken" || list[0].File != "library/broken" || list[0].Line != 4 {
		t.Errorf("FileError %q %q, first problem %s:%d; want library/broken, broken, library/broken:4", fe.File, fe.Name, list[0].File, list[0].Line)
	}
}

// Read fails, reading nothing, when the directory has more than MaxFiles
// entries or MaxLibrarySize bytes of files; at the limits, it reads.
func TestReadLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		entries int
		mode    string // of every entry
		content string
		want    string // an error, or "" for none
	}{
		{"entries at the limit", MaxFiles, "120000", "target", ""},
		{"entries over the limit", MaxFiles + 1, "120000", "target", "has more than 10000 entries"},
		{"bytes over the limit", int(MaxLibrarySize/MaxFileSize) + 1, "100644", strings.Repeat("#", int(MaxFileSize)), "has more than 268435456 bytes of files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			sourcetest.NewRepo(t, dir)
			commitSame(t, dir, tc.entries, tc.mode, tc.content)
			lib, err := Read(context.Background(), head(t, openCache(t), dir), LibraryDir)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Read: %v", err)
			case tc.want == "" && len(lib.Errors) != tc.entries:
				t.Errorf("%d errors, want one for each of the %d symlinks", len(lib.Errors), tc.entries)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Read = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// commitSame commits, as the tip of main of the repository in dir, a
// library of n entries f00000… of the given mode that share one blob,
// writing the blob and the trees with one git command each.
func commitSame(t *testing.T, dir string, n int, mode, content string) {
	t.Helper()
	blob := runGit(t, dir, []byte(content), "hash-object", "-w", "--stdin")
	var list strings.Builder
	for i := range n {
		fmt.Fprintf(&list, "%s blob %s\tf%05d\x00", mode, blob, i)
	}
	library := runGit(t, dir, []byte(list.String()), "mktree", "-z")
	root := runGit(t, dir, []byte("040000 tree "+library+"\tlibrary\x00"), "mktree", "-z")
	id := runGit(t, dir, nil, "commit-tree", "-m", "many", root)
	runGit(t, dir, nil, "update-ref", "refs/heads/main", id)
}

// A directory that is not in the commit, or is a file, fails Read.
func TestReadNotADirectory(t *testing.T) {
	t.Parallel()
	r := sourcetest.NewRepo(t, t.TempDir())
	r.CommitNodes(sourcetest.File("library", "a file"), sourcetest.Dir("docs", sourcetest.File("x", "y")))
	commit := head(t, openCache(t), r.Dir)
	if _, err := Read(context.Background(), commit, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want fs.ErrNotExist", err)
	}
	if _, err := Read(context.Background(), commit, LibraryDir); err == nil || !strings.Contains(err.Error(), "is a file, not a directory") {
		t.Errorf("Read(library) = %v, want an error saying it is a file", err)
	}
}
