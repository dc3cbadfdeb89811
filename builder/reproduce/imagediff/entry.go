package imagediff

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// entry is what a comparison keeps of one tar entry: metadata only; a
// regular file's content is hashed as it streams past.
type entry struct {
	seq      int    // position in the tar
	typ      byte   // tar type flag, TypeRegA read as TypeReg
	mode     int64  // permission, setuid, setgid and sticky bits
	uid, gid int    // numeric owner
	link     string // symlink or hardlink target
	size     int64  // a regular file's size
	sum      [32]byte
	major    int64 // device numbers, of devices only
	minor    int64
	xattrs   string   // SCHILY.xattr records, sorted, "k=v\x00…"
	times    [3]int64 // mtime, atime, ctime in nanoseconds
	encoding string   // tar format, user and group names
	unsafe   string   // why the path escapes the root, "" if it does not
}

// layerFiles is one layer's entries by cleaned path.
type layerFiles map[string]*entry

// readLayer reads the tar stream r into its entries. A path seen twice
// keeps its last entry, as extraction does.
func readLayer(ctx context.Context, r io.Reader) (layerFiles, error) {
	files := layerFiles{}
	tr := tar.NewReader(ctxReader{ctx, r})
	buf := make([]byte, 64<<10)
	for seq := 0; ; seq++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar entry %d: %w", seq, err)
		}
		key, e := newEntry(hdr, seq)
		if e.unsafe == "" {
			e.unsafe = files.throughSymlink(key)
		}
		if e.typ == tar.TypeReg {
			h := sha256.New()
			// A sparse file's holes are read from no input: check ctx
			// as they are hashed too.
			if _, err := io.CopyBuffer(h, ctxReader{ctx, tr}, buf); err != nil {
				return nil, fmt.Errorf("reading %s: %w", hdr.Name, err)
			}
			h.Sum(e.sum[:0])
		}
		files[key] = e
	}
}

// newEntry is the key and entry of hdr, the seq-th of its tar.
func newEntry(hdr *tar.Header, seq int) (string, *entry) {
	key, unsafe := cleanPath(hdr.Name)
	e := &entry{
		seq: seq, typ: hdr.Typeflag, mode: hdr.Mode & 0o7777,
		uid: hdr.Uid, gid: hdr.Gid, link: hdr.Linkname,
		xattrs:   xattrs(hdr.PAXRecords),
		times:    [3]int64{hdr.ModTime.UnixNano(), hdr.AccessTime.UnixNano(), hdr.ChangeTime.UnixNano()},
		encoding: fmt.Sprintf("%v %q %q", hdr.Format, hdr.Uname, hdr.Gname),
		unsafe:   unsafe,
	}
	if hdr.AccessTime.IsZero() {
		e.times[1] = 0
	}
	if hdr.ChangeTime.IsZero() {
		e.times[2] = 0
	}
	switch e.typ {
	case tar.TypeRegA:
		e.typ = tar.TypeReg
		e.size = hdr.Size
	case tar.TypeReg:
		e.size = hdr.Size
	case tar.TypeChar, tar.TypeBlock:
		e.major, e.minor = hdr.Devmajor, hdr.Devminor
	}
	return key, e
}

// cleanPath is the key of a tar path: cleaned, without a leading "./" or
// a directory's trailing slash; and why it is unsafe to extract, if it is:
// absolute, or climbing out of the root.
func cleanPath(name string) (key, unsafe string) {
	key = path.Clean(strings.TrimSuffix(name, "/"))
	switch {
	case name == "":
		return ".", "empty path"
	case strings.HasPrefix(name, "/"):
		return key, "absolute path"
	case key == ".." || strings.HasPrefix(key, "../"):
		return key, "escapes the root"
	}
	return key, ""
}

// throughSymlink says, for a path about to be added, whether one of its
// parents is a symlink of the layer read so far: extracting it would write
// wherever the link points.
func (f layerFiles) throughSymlink(key string) string {
	for dir := path.Dir(key); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if e, ok := f[dir]; ok && e.typ == tar.TypeSymlink {
			return fmt.Sprintf("through symlink %s -> %s", dir, e.link)
		}
	}
	return ""
}

// xattrs flattens the extended-attribute records of a PAX header.
func xattrs(records map[string]string) string {
	var kv []string
	for k, v := range records {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			kv = append(kv, name+"="+v)
		}
	}
	slices.Sort(kv)
	return strings.Join(kv, "\x00")
}

// whiteout says what a whiteout entry deletes, "" if key is no whiteout.
func whiteout(key string) string {
	dir, base := path.Split(key)
	switch {
	case base == ".wh..wh..opq":
		return "opaque whiteout: hides what the layers below hold in " + path.Clean("./"+dir)
	case strings.HasPrefix(base, ".wh."):
		return "whiteout: deletes " + path.Join(dir, strings.TrimPrefix(base, ".wh.")) + " from the layers below"
	}
	return ""
}

// ctxReader is a reader that fails once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
