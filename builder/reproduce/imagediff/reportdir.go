package imagediff

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// reporter writes the files of differing rows under a report directory,
// within a budget.
type reporter struct {
	dir     string
	perFile int64
	left    int64 // bytes the directory may still take
}

func newReporter(o options) *reporter {
	return &reporter{dir: o.reportDir, perFile: o.perFile, left: o.total}
}

// write writes both sides' files of rows, the rows of pair lp, noting in
// each row what it wrote.
func (rep *reporter) write(ctx context.Context, lp pair, rows []FileDiff) error {
	for _, s := range []struct {
		name  string
		layer v1.Layer
		sum   func(*FileDiff) string
	}{
		{"published", lp.pub, func(r *FileDiff) string { return r.PublishedSHA256 }},
		{"rebuilt", lp.reb, func(r *FileDiff) string { return r.RebuiltSHA256 }},
	} {
		want := map[string]*FileDiff{}
		for i := range rows {
			if r := &rows[i]; s.sum(r) != "" && hasContent(r.Change) {
				want[r.Path] = r
			}
		}
		if len(want) == 0 || s.layer == nil {
			continue
		}
		if err := rep.writeSide(ctx, s.name, lp.index, s.layer, want); err != nil {
			return err
		}
	}
	return nil
}

// hasContent says whether a row of change c has content worth writing.
func hasContent(c Change) bool {
	return c == Content || c == Added || c == Removed || c == TypeChange
}

// writeSide streams layer again and writes its files in want under
// dir/side.
func (rep *reporter) writeSide(ctx context.Context, side string, index int, layer v1.Layer, want map[string]*FileDiff) error {
	dir := filepath.Join(rep.dir, side)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("report directory %s: %w", dir, err)
	}
	defer root.Close()
	rc, err := layer.Uncompressed()
	if err != nil {
		return fmt.Errorf("layer %d of the %s image: %w", index, side, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %d of the %s image: %w", index, side, err)
		}
		key, unsafe := cleanPath(hdr.Name)
		row := want[key]
		if row == nil || unsafe != "" || (hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeRegA) {
			continue
		}
		note, err := rep.writeFile(root, key, tr, hdr.Size)
		if err != nil {
			return fmt.Errorf("report directory %s, %s: %w", dir, key, err)
		}
		addNote(row, side+" copy "+note)
	}
}

// writeFile writes at most the budget's bytes of r, a file of size bytes,
// at key under root, and says what it wrote. A path that would go through
// anything but a directory is refused and said so; an error is one of the
// report directory itself.
func (rep *reporter) writeFile(root *os.Root, key string, r io.Reader, size int64) (string, error) {
	if why := rep.blocked(root, key); why != "" {
		return "not written: " + why, nil
	}
	n := min(size, rep.perFile, rep.left)
	if size > 0 && n == 0 {
		return "not written: the report directory holds its limit", nil
	}
	if err := root.MkdirAll(path.Dir(key), 0o755); err != nil {
		return "", err
	}
	f, err := root.OpenFile(key, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	written, err := io.CopyN(f, r, n)
	rep.left -= written
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if written < size {
		return fmt.Sprintf("truncated to %d of %d bytes", written, size), nil
	}
	return "written", nil
}

// blocked says why key cannot be written under root: a component of it
// is there as anything but a directory (or the file itself as anything
// but a regular file). The report directory holds no symlinks, so
// nothing written can leave it; this also keeps a file of one layer from
// standing in the way of another's.
func (rep *reporter) blocked(root *os.Root, key string) string {
	parts := strings.Split(key, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fi, err := root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		if err != nil {
			return err.Error()
		}
		last := i == len(parts)-1
		if (!last && !fi.IsDir()) || (last && !fi.Mode().IsRegular()) {
			return fmt.Sprintf("%s is a %s in the report directory", p, kind(fi.Mode()))
		}
	}
	return ""
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsRegular():
		return "file"
	}
	return "special file"
}

func addNote(row *FileDiff, note string) {
	if row.Note != "" {
		row.Note += "; "
	}
	row.Note += note
}
