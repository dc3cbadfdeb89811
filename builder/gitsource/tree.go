package gitsource

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Entry is one directory, file or symlink under a directory of a commit.
type Entry struct {
	// Path is relative to the listed directory, slash-separated, without a
	// trailing slash.
	Path string
	// Mode is what bashbrew's gitfs reports: 0o664 for a file, 0o775 for an
	// executable, 0o777|fs.ModeSymlink, and 0o775|fs.ModeDir for a
	// directory or a submodule (which, as in git archive, is empty).
	Mode fs.FileMode
	// Size is the blob size of a file or symlink (for a symlink, the length
	// of its target), and 0 for a directory.
	Size int64
	// Object is the git object id: a blob, a tree or a submodule's commit.
	Object string
}

// object is one line of git ls-tree --long.
type object struct {
	mode, typ, oid string
	size           int64
	path           string
}

const (
	modeSymlink = "120000"
	maxSymlinks = 40
)

// Tree lists dir (a library entry's Directory; "." for the whole
// repository) depth-first, each directory's entries sorted by name, as
// bashbrew's fs.WalkDir does. The order differs from git's own when a name
// sorts between a directory and its contents ("a-b" after "a/…"). dir itself
// is not listed; if it is a symlink, it is followed.
//
// A tree that git itself would refuse to check out is refused here too: a
// name listed twice (a symlink "a" beside a directory "a"), or a name that
// is empty, ".", ".." or ".git".
func (c *Commit) Tree(ctx context.Context, dir string) ([]Entry, error) {
	root, err := c.dirObject(ctx, dir)
	if err != nil || root.typ == "commit" { // a submodule is an empty directory
		return nil, err
	}
	out, err := c.git.run(ctx, "ls-tree", "-r", "-t", "-z", "--long", "--full-tree", root.oid)
	if err != nil {
		return nil, fmt.Errorf("listing %s:%s in %s: %w", c.id, root.path, c.repo, err)
	}
	objs, err := parseLsTree(out)
	if err != nil {
		return nil, fmt.Errorf("listing %s:%s in %s: %w", c.id, root.path, c.repo, err)
	}
	entries := make([]Entry, 0, len(objs))
	for _, o := range objs {
		mode, err := entryMode(o.mode)
		if err != nil {
			return nil, fmt.Errorf("%s:%s in %s: %w", c.id, path.Join(root.path, o.path), c.repo, err)
		}
		entries = append(entries, Entry{Path: o.path, Mode: mode, Size: o.size, Object: o.oid})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return comparePaths(a.Path, b.Path) })
	if err := checkTree(entries); err != nil {
		return nil, fmt.Errorf("%s:%s in %s: %w", c.id, root.path, c.repo, err)
	}
	return entries, nil
}

// dirObject resolves a Directory to its tree (or submodule), whose path
// is the Directory's once symlinks are followed.
func (c *Commit) dirObject(ctx context.Context, dir string) (object, error) {
	p, err := SafeJoin(dir, ".")
	if err != nil {
		return object{}, err
	}
	obj, err := c.resolve(ctx, p)
	if err != nil {
		return object{}, err
	}
	if obj.typ == "blob" {
		return object{}, fmt.Errorf("Directory %q at %s in %s is a file, not a directory", dir, c.id, c.repo)
	}
	return obj, nil // obj.path is where the symlinks led
}

// comparePaths orders paths depth-first with each directory's entries
// sorted by name: "/" sorts before every other byte.
func comparePaths(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		switch x, y := a[i], b[i]; {
		case x == y:
		case x == '/':
			return -1
		case y == '/':
			return 1
		default:
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// entryMode maps git modes to bashbrew gitfs modes.
func entryMode(mode string) (fs.FileMode, error) {
	switch mode {
	case "040000", "160000": // a tree, a submodule
		return fs.ModeDir | 0o775, nil
	case "100644", "100664":
		return 0o664, nil
	case "100755":
		return 0o775, nil
	case modeSymlink:
		return fs.ModeSymlink | 0o777, nil
	}
	return 0, fmt.Errorf("unsupported git file mode %s", mode)
}

// resolve looks up the clean path p, following symlinks anywhere in the
// repository.
func (c *Commit) resolve(ctx context.Context, p string) (object, error) {
	return c.resolveWithin(ctx, p, ".")
}

// resolveWithin looks up the clean path p, which must be within the clean
// directory within, following symlinks as bashbrew's gitfs does: a link's
// relative target is joined to the link's directory and cleaned, and it
// must stay within; absolute targets are refused; at most maxSymlinks
// links are followed. Only the last component of a path may be a link.
// Nothing on the host's filesystem is read: every path is a path in the
// commit's tree objects.
func (c *Commit) resolveWithin(ctx context.Context, p, within string) (object, error) {
	cur := p
	for range maxSymlinks {
		obj, ok, err := c.lookup(ctx, cur)
		if err != nil {
			return object{}, err
		}
		if !ok {
			return object{}, &NotFoundError{Path: p, Target: cur, Commit: c.id, Repo: c.repo}
		}
		if obj.mode != modeSymlink {
			return obj, nil
		}
		if cur, err = c.linkTarget(ctx, obj, within); err != nil {
			return object{}, err
		}
	}
	return object{}, fmt.Errorf("%s at %s in %s: too many levels of symlinks", p, c.id, c.repo)
}

// lookup returns the entry at the clean path p; ok is false if none. A
// path listed twice (a hostile tree) is an error.
func (c *Commit) lookup(ctx context.Context, p string) (obj object, ok bool, err error) {
	if p == "." {
		return object{mode: "040000", typ: "tree", oid: c.id, path: "."}, true, nil
	}
	out, err := c.git.run(ctx, "ls-tree", "-z", "--long", "--full-tree", c.id, "--", p)
	if err != nil {
		return object{}, false, fmt.Errorf("looking up %s:%s in %s: %w", c.id, p, c.repo, err)
	}
	objs, err := parseLsTree(out)
	if err != nil {
		return object{}, false, fmt.Errorf("looking up %s:%s in %s: %w", c.id, p, c.repo, err)
	}
	for _, o := range objs {
		if o.path != p {
			continue
		}
		if ok {
			return object{}, false, fmt.Errorf("%s at %s in %s: listed twice in its tree (git would refuse to check it out)", p, c.id, c.repo)
		}
		obj, ok = o, true
	}
	return obj, ok, nil
}

// linkTarget returns the repository path a symlink points to. Like
// bashbrew's gitfs, it accepts only relative targets inside the
// repository, and, here, inside the directory within.
func (c *Commit) linkTarget(ctx context.Context, link object, within string) (string, error) {
	if link.size > maxLinkTarget {
		return "", fmt.Errorf("%s at %s in %s is a symlink of %d bytes", link.path, c.id, c.repo, link.size)
	}
	out, err := c.git.run(ctx, "cat-file", "blob", link.oid)
	if err != nil {
		return "", fmt.Errorf("reading symlink %s:%s in %s: %w", c.id, link.path, c.repo, err)
	}
	target := string(out)
	switch joined := path.Join(path.Dir(link.path), target); {
	case target == "":
		return "", fmt.Errorf("%s at %s in %s is an empty symlink", link.path, c.id, c.repo)
	case path.IsAbs(target):
		return "", fmt.Errorf("%s at %s in %s is an absolute symlink (%s); only relative symlinks inside the repository are followed", link.path, c.id, c.repo, target)
	case escapes(joined):
		return "", fmt.Errorf("%s at %s in %s is a symlink out of the repository (%s)", link.path, c.id, c.repo, target)
	case !isWithin(joined, within):
		return "", fmt.Errorf("%s at %s in %s is a symlink out of %s (%s)", link.path, c.id, c.repo, within, target)
	default:
		return joined, nil
	}
}

// isWithin reports whether the clean path p is dir or under it.
func isWithin(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// parseLsTree parses git ls-tree -z --long: "MODE TYPE OID SIZE\tPATH\x00".
func parseLsTree(out []byte) ([]object, error) {
	var objs []object
	for rec := range bytes.SplitSeq(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return nil, fmt.Errorf("unexpected git ls-tree line %q", rec)
		}
		o := object{mode: f[0], typ: f[1], oid: f[2], path: p}
		if f[3] != "-" {
			size, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("unexpected git ls-tree size in %q: %w", rec, err)
			}
			o.size = size
		}
		objs = append(objs, o)
	}
	return objs, nil
}
