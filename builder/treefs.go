package builder

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/tonistiigi/fsutil"
	"github.com/tonistiigi/fsutil/types"

	"github.com/brewkit/brewkit/builder/gitsource"
)

// treeFS is a directory of a commit as the [fsutil.FS] BuildKit's file
// sync reads a local build context from. It is made from git's listing
// and streams each file from git's object store: nothing is checked out,
// so no link in a hostile tree is ever followed on this machine. Symlinks
// are sent as symlinks, for BuildKit to resolve inside the context it
// receives, as it does for a git context it fetched itself. Files have
// mode 0644 or 0755 and the commit's time, as a checkout would.
type treeFS struct {
	ctx     context.Context // of the solve: Open has none of its own
	commit  *gitsource.Commit
	batch   *gitsource.Batch  // reads the small files
	entries []gitsource.Entry // in Commit.Tree's order, none twice
	byPath  map[string]int    // slash path → index in entries
	links   map[string]string // slash path → target, for every symlink
	mtime   int64             // nanoseconds
}

var _ fsutil.FS = (*treeFS)(nil)

// smallFile is the size up to which a file is read whole through the
// treeFS's batch process: file sync reads four files at a time, so this
// bounds the memory a send holds. A larger file streams from a git
// process of its own.
const smallFile = 1 << 20

// newTreeFS lists dir of commit. ctx bounds every later read; the caller
// must Close the treeFS.
func newTreeFS(ctx context.Context, commit *gitsource.Commit, dir string, mtime time.Time) (*treeFS, error) {
	entries, err := commit.Tree(ctx, dir)
	if err != nil {
		return nil, err
	}
	batch, err := commit.Batch(ctx)
	if err != nil {
		return nil, err
	}
	t := &treeFS{ctx: ctx, commit: commit, batch: batch, entries: entries, byPath: make(map[string]int, len(entries)),
		links: map[string]string{}, mtime: mtime.UnixNano()}
	for i, e := range entries {
		t.byPath[e.Path] = i
		if e.Mode&fs.ModeSymlink == 0 {
			continue
		}
		if err := t.readLink(e); err != nil {
			batch.Close()
			return nil, err
		}
	}
	return t, nil
}

// maxLinkTarget bounds a symlink's target, as PATH_MAX does on Linux.
const maxLinkTarget = 4096

// readLink records the target of the symlink e.
func (t *treeFS) readLink(e gitsource.Entry) error {
	if e.Size > maxLinkTarget {
		return fmt.Errorf("symlink %s has a target of %d bytes", e.Path, e.Size)
	}
	target, err := t.batch.Read(e)
	if err != nil {
		return err
	}
	t.links[e.Path] = string(target)
	return nil
}

// Close stops the batch process.
func (t *treeFS) Close() error { return t.batch.Close() }

// Walk implements [fsutil.FS]: target and, if it is a directory, what is
// under it, in order; "", "." or "/" walk everything. fn may return
// [fs.SkipDir] or [fs.SkipAll].
func (t *treeFS) Walk(ctx context.Context, target string, fn fs.WalkDirFunc) error {
	prefix := strings.Trim(path.Clean("/"+filepath.ToSlash(target)), "/")
	skip := "" // a directory whose contents fn skipped, with a trailing slash
	for _, e := range t.entries {
		if prefix != "" && e.Path != prefix && !strings.HasPrefix(e.Path, prefix+"/") {
			continue
		}
		if skip != "" && strings.HasPrefix(e.Path, skip) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fn(filepath.FromSlash(e.Path), &fsutil.DirEntryInfo{Stat: t.stat(e)}, nil)
		switch {
		case err == fs.SkipAll:
			return nil
		case err == fs.SkipDir && e.Mode.IsDir():
			skip = e.Path + "/"
		case err == fs.SkipDir: // skip the rest of e's directory
			skip = path.Dir(e.Path) + "/"
			if skip == "./" {
				return nil
			}
		case err != nil:
			return err
		}
	}
	return nil
}

// stat is what file sync sends for e.
func (t *treeFS) stat(e gitsource.Entry) *types.Stat {
	st := &types.Stat{Path: filepath.FromSlash(e.Path), ModTime: t.mtime}
	switch {
	case e.Mode.IsDir():
		st.Mode = uint32(os.ModeDir | 0o755)
	case e.Mode&fs.ModeSymlink != 0:
		st.Mode = uint32(os.ModeSymlink | 0o777)
		st.Linkname = t.links[e.Path]
		st.Size = int64(len(st.Linkname))
	default:
		st.Mode, st.Size = 0o644, e.Size
		if e.Mode&0o100 != 0 {
			st.Mode = 0o755
		}
	}
	return st
}

// Open implements [fsutil.FS]: it streams a regular file of the listing.
func (t *treeFS) Open(p string) (io.ReadCloser, error) {
	i, ok := t.byPath[strings.Trim(filepath.ToSlash(filepath.Clean(p)), "/")]
	if !ok || t.entries[i].Mode&fs.ModeType != 0 {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	e := t.entries[i]
	if e.Size > smallFile {
		return t.commit.Open(t.ctx, e)
	}
	data, err := t.batch.Read(e)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}
