package gitsource

import (
	"context"
	"fmt"
	"io"
	"path"
)

// Dir is a directory of a commit that names are read in, as a chroot:
// names are relative to it and may not climb out of it, and symlinks are
// followed only while they stay inside it. An oci-import entry reads its
// layout through the Dir of its Directory, so that neither its File nor a
// blob's symlink can reach another part of the repository. Like
// everything in this package, a Dir reads git objects, never the host's
// filesystem.
type Dir struct {
	commit *Commit
	path   string // clean, relative to the repository root
}

// Dir returns the directory dir of the commit, following a symlink there
// (inside the repository).
func (c *Commit) Dir(ctx context.Context, dir string) (*Dir, error) {
	obj, err := c.dirObject(ctx, dir)
	if err != nil {
		return nil, err
	}
	if obj.typ != "tree" {
		return nil, fmt.Errorf("Directory %q at %s in %s is a submodule, not a directory", dir, c.id, c.repo)
	}
	return &Dir{commit: c, path: obj.path}, nil
}

// Path returns the directory's clean path in the repository, after
// following any symlink that named it.
func (d *Dir) Path() string { return d.path }

// Stat returns the file at name, following symlinks inside d. The
// Entry's Path is its clean path in the repository. A directory is an
// error; a missing file is a *[NotFoundError].
func (d *Dir) Stat(ctx context.Context, name string) (Entry, error) {
	p, err := d.join(name)
	if err != nil {
		return Entry{}, err
	}
	c := d.commit
	obj, err := c.resolveWithin(ctx, p, d.path)
	if err != nil {
		return Entry{}, err
	}
	if obj.typ != "blob" {
		return Entry{}, fmt.Errorf("%s at %s:%s in %s is a directory, not a file", name, c.id, p, c.repo)
	}
	mode, err := entryMode(obj.mode)
	if err != nil {
		return Entry{}, fmt.Errorf("%s at %s:%s in %s: %w", name, c.id, p, c.repo, err)
	}
	return Entry{Path: obj.path, Mode: mode, Size: obj.size, Object: obj.oid}, nil
}

// join is name's clean path in the repository; it must stay in d.
func (d *Dir) join(name string) (string, error) {
	p, err := SafeJoin(d.path, name)
	if err != nil {
		return "", err
	}
	if !isWithin(p, d.path) {
		return "", fmt.Errorf("%q leaves the directory %s", name, d.path)
	}
	return p, nil
}

// Open streams the file at name, which may be at most limit bytes (its
// size is read from the tree before any content). The reader fails if the
// content is not exactly the size the tree says.
func (d *Dir) Open(ctx context.Context, name string, limit int64) (io.ReadCloser, Entry, error) {
	e, err := d.Stat(ctx, name)
	if err != nil {
		return nil, Entry{}, err
	}
	if e.Size > limit {
		return nil, Entry{}, &TooLargeError{Path: e.Path, Size: e.Size, Limit: limit, Commit: d.commit.id, Repo: d.commit.repo}
	}
	rc, err := d.commit.Open(ctx, e)
	return rc, e, err
}

// ReadFile returns the content of the file at name, which may be at most
// limit bytes.
func (d *Dir) ReadFile(ctx context.Context, name string, limit int64) ([]byte, error) {
	rc, e, err := d.Open(ctx, name, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b := make([]byte, e.Size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("reading %s:%s in %s: %w", d.commit.id, e.Path, d.commit.repo, err)
	}
	if err := rc.Close(); err != nil {
		return nil, err
	}
	return b, nil
}

// Open streams the content of e, an entry of [Commit.Tree] or
// [Dir.Stat]: a file, or a symlink's target text. The reader fails if the
// content is not exactly e.Size bytes.
func (c *Commit) Open(ctx context.Context, e Entry) (io.ReadCloser, error) {
	if e.Mode.IsDir() {
		return nil, fmt.Errorf("%s at %s in %s is a directory", e.Path, c.id, c.repo)
	}
	rc, err := c.git.openBlob(ctx, e.Object, e.Size)
	if err != nil {
		return nil, fmt.Errorf("reading %s:%s in %s: %w", c.id, e.Path, c.repo, err)
	}
	return rc, nil
}

// TooLargeError is returned when a file is larger than a read allows.
type TooLargeError struct {
	Path   string // in the repository
	Size   int64
	Limit  int64
	Commit string
	Repo   string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s at %s:%s in %s is %d bytes, more than the %d allowed", path.Base(e.Path), e.Commit, e.Path, e.Repo, e.Size, e.Limit)
}
