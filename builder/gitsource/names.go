package gitsource

import (
	"fmt"
	"strings"
)

// checkTree refuses a listing that git would not check out, whatever a
// hostile repository stored with git mktree: a path listed twice (a
// symlink "a" beside a directory "a" whose "a/x" would then be written
// through the link), an entry whose parent is not a directory of the
// listing, or a name that is not canonical (see [validName]). entries must
// be in [Commit.Tree]'s order, which puts equal paths side by side.
func checkTree(entries []Entry) error {
	dirs := map[string]bool{".": true}
	for i, e := range entries {
		if i > 0 && entries[i-1].Path == e.Path {
			return fmt.Errorf("%q is listed twice in the tree (git would refuse to check it out)", e.Path)
		}
		parent, name := ".", e.Path
		if j := strings.LastIndexByte(e.Path, '/'); j >= 0 {
			parent, name = e.Path[:j], e.Path[j+1:]
		}
		if err := validName(name); err != nil {
			return fmt.Errorf("%q: %w", e.Path, err)
		}
		if !dirs[parent] {
			return fmt.Errorf("%q is under %q, which is not a directory of the tree", e.Path, parent)
		}
		if e.Mode.IsDir() {
			dirs[e.Path] = true
		}
	}
	return nil
}

// validName reports whether name can be one entry of a git tree that git
// checks out: not empty, ".", ".." or ".git" (in any case), with no "/"
// or NUL.
func validName(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("the tree has an entry named %q (git would refuse to check it out)", name)
	case strings.EqualFold(name, ".git"):
		return fmt.Errorf("the tree has an entry named %q (git would refuse to check it out)", name)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("the tree has an entry name with a slash or NUL byte")
	}
	return nil
}
