package source

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
)

// FileError is an entry of the library directory that [Read] left out:
// a file that does not parse, is too large or is not named as a
// repository, a symlink or a subdirectory.
type FileError struct {
	File string // "DIR/NAME", as the file is named to manifest.Parse
	Name string // NAME, the repository it would be
	// Err says why. For a file that does not parse, it is the
	// manifest.ErrorList of its problems, each naming file and line.
	Err error
}

func (e *FileError) Error() string {
	if list := manifest.ErrorList(nil); errors.As(e.Err, &list) {
		return e.Err.Error() // "library/NAME:LINE: …" already
	}
	return e.File + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// repoName is a repository name as the registry takes one: a path
// component of a docker reference.
var repoName = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// check says why the directory entry e is not a library file to read, or
// returns nil.
func check(e gitsource.Entry) error {
	switch {
	case e.Mode.IsDir():
		return errors.New("a directory (the library holds files only); not read")
	case e.Mode.Type() != 0:
		return errors.New("a symlink; symlinks in the library are not followed")
	case !repoName.MatchString(e.Path):
		return errors.New("not a repository name (lowercase letters and digits, separated by \".\", \"_\", \"__\" or \"-\"); not read")
	case e.Size > MaxFileSize:
		return fmt.Errorf("%d bytes, more than the %d a library file may have; not read", e.Size, MaxFileSize)
	}
	return nil
}
