package source

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
)

// LibraryDir is the directory of an official-images repository that holds
// its library files.
const LibraryDir = "library"

// Limits of [Read]. The official-images library has some 150 files of
// less than 100 KiB each.
const (
	// MaxFileSize bounds one library file: a larger one is a *[FileError],
	// and is not read.
	MaxFileSize int64 = 4 << 20
	// MaxFiles bounds the entries of the library directory: past it, Read
	// fails.
	MaxFiles = 10_000
	// MaxLibrarySize bounds the library files' total size: past it, Read
	// fails, reading nothing.
	MaxLibrarySize int64 = 256 << 20
)

// Library is the library directory of one commit, parsed.
type Library struct {
	Commit string    // the commit's full id
	Time   time.Time // the later of its author and committer times
	// Repos are the files that parsed, sorted by name, as
	// manifest.Loader loads them: File is "DIR/NAME", RepoName is NAME,
	// and the whole repository is named (TagName is "").
	Repos []*manifest.Repo
	// Errors are the entries of the directory left out, each a
	// *[FileError], in the order of the directory.
	Errors []error
}

// Read reads the library files in dir (usually [LibraryDir]) at commit,
// from git objects only. Every regular file whose name is a repository
// name (lowercase letters and digits, separated by ".", "_", "__" or
// "-"s) and which fits [MaxFileSize] is parsed with manifest.Parse, named
// "DIR/NAME" so that its errors read "library/NAME:LINE: …". A file that
// does not parse, a symlink (never followed), a subdirectory and a file
// with another name or too large are each a *[FileError] in
// Library.Errors; the other files are read.
//
// dir itself may be a symlink, followed as [gitsource.Commit.Tree] does
// (relative, inside the repository); the files are named under dir as
// given. Read fails when git does, when dir is not in the commit, and
// when dir has more than [MaxFiles] entries or [MaxLibrarySize] bytes of
// files.
func Read(ctx context.Context, commit *gitsource.Commit, dir string) (*Library, error) {
	when, err := commit.Time(ctx)
	if err != nil {
		return nil, err
	}
	files, skipped, err := list(ctx, commit, dir)
	if err != nil {
		return nil, err
	}
	lib := &Library{Commit: commit.ID(), Time: when, Errors: skipped}
	if err := lib.parse(ctx, commit, files); err != nil {
		return nil, fmt.Errorf("reading %s of %s: %w", dir, commit, err)
	}
	slices.SortStableFunc(lib.Errors, func(a, b error) int { // entries left out, then files that did not parse
		return strings.Compare(a.(*FileError).Name, b.(*FileError).Name)
	})
	return lib, nil
}

// file is a library file to read.
type file struct {
	entry gitsource.Entry
	path  string // "DIR/NAME"
	name  string // NAME
}

// list returns the files of dir to read, and a *FileError for each entry
// left out.
func list(ctx context.Context, commit *gitsource.Commit, dir string) ([]file, []error, error) {
	entries, err := commit.Tree(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	var (
		files   []file
		skipped []error
		n       int
		total   int64
	)
	for _, e := range entries {
		if strings.Contains(e.Path, "/") { // in a subdirectory, left out with it
			continue
		}
		if n++; n > MaxFiles {
			return nil, nil, fmt.Errorf("%s at %s has more than %d entries", dir, commit, MaxFiles)
		}
		f := file{entry: e, path: path.Join(dir, e.Path), name: e.Path}
		if err := check(e); err != nil {
			skipped = append(skipped, &FileError{File: f.path, Name: f.name, Err: err})
			continue
		}
		if total += e.Size; total > MaxLibrarySize {
			return nil, nil, fmt.Errorf("%s at %s has more than %d bytes of files", dir, commit, MaxLibrarySize)
		}
		files = append(files, f)
	}
	return files, skipped, nil
}

// parse reads files through one git process and parses them, adding the
// repos to lib and the files that do not parse to its Errors. An error
// is git's.
func (lib *Library) parse(ctx context.Context, commit *gitsource.Commit, files []file) error {
	if len(files) == 0 {
		return nil
	}
	batch, err := commit.Batch(ctx)
	if err != nil {
		return err
	}
	defer batch.Close()
	for _, f := range files {
		data, err := batch.Read(f.entry)
		if err != nil {
			return err
		}
		m, err := manifest.ParseString(f.path, string(data))
		if err != nil {
			lib.Errors = append(lib.Errors, &FileError{File: f.path, Name: f.name, Err: err})
			continue
		}
		lib.Repos = append(lib.Repos, &manifest.Repo{File: f.path, RepoName: f.name, Manifest: m})
	}
	return batch.Close()
}
