package gitsource

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
)

// maxLinkTarget bounds a symlink target read into a tar header.
const maxLinkTarget = 64 << 10

// Checksum returns the hex sha256 of [Commit.Archive] of dir: bashbrew's
// ArchGitChecksum, which `bashbrew context --sha256` prints and
// meta-scripts folds into sourceId.
func (c *Commit) Checksum(ctx context.Context, dir string) (string, error) {
	h := sha256.New()
	if err := c.Archive(ctx, dir, h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Archive writes dir (a library entry's Directory) as bashbrew's scrubbed
// tar: the entries of [Commit.Tree] in that order, without dir itself; each
// header holds only the type, name (directories end in "/"), link target,
// size and mode, so owners, names and times are zero; symlinks are stored,
// not followed; and, like bashbrew, the tar is flushed but not closed, so
// it has no end-of-archive blocks.
func (c *Commit) Archive(ctx context.Context, dir string, w io.Writer) (err error) {
	entries, err := c.Tree(ctx, dir)
	if err != nil {
		return err
	}
	var ids []string
	for _, e := range entries {
		if !e.Mode.IsDir() {
			ids = append(ids, e.Object)
		}
	}
	blobs, err := c.git.openBlobs(ctx, ids)
	if err != nil {
		return fmt.Errorf("archiving %s:%s in %s: %w", c.id, dir, c.repo, err)
	}
	defer func() {
		if cerr := blobs.close(); err == nil && cerr != nil {
			err = fmt.Errorf("archiving %s:%s in %s: %w", c.id, dir, c.repo, cerr)
		}
	}()
	tw := tar.NewWriter(w)
	for _, e := range entries {
		if err := writeEntry(tw, e, blobs); err != nil {
			return fmt.Errorf("archiving %s:%s in %s: %w", c.id, path.Join(dir, e.Path), c.repo, err)
		}
	}
	return tw.Flush() // not Close: bashbrew's tar has no end-of-archive blocks
}

// writeEntry writes e's scrubbed header and, for a file, its content.
func writeEntry(tw *tar.Writer, e Entry, blobs *blobStream) error {
	hdr := &tar.Header{Name: e.Path, Mode: int64(e.Mode.Perm())}
	switch {
	case e.Mode.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, e.Path+"/"
		return tw.WriteHeader(hdr)
	case e.Mode&fs.ModeSymlink != 0:
		target, err := readLink(blobs, e.Object)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, target
		return tw.WriteHeader(hdr)
	default:
		size, r, err := blobs.next(e.Object)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Size = tar.TypeReg, size
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = io.Copy(tw, r)
		return err
	}
}

// readLink reads the next blob of blobs, a symlink's target.
func readLink(blobs *blobStream, oid string) (string, error) {
	size, r, err := blobs.next(oid)
	if err != nil {
		return "", err
	}
	if size > maxLinkTarget {
		return "", fmt.Errorf("symlink target of %d bytes", size)
	}
	target, err := io.ReadAll(r)
	return string(target), err
}
