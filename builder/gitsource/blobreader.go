package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// blobReader streams one blob from git cat-file, checking that it is
// exactly the size the tree listed: a blob that is longer or shorter is an
// error, never a silently truncated or padded file.
type blobReader struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	out    io.ReadCloser
	stderr *tailBuffer
	oid    string
	size   int64
	read   int64
	err    error // sticky: the first error or io.EOF
}

// openBlob starts git cat-file blob oid. The caller must close the reader.
func (r runner) openBlob(ctx context.Context, oid string, size int64) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(ctx)
	b := &blobReader{cancel: cancel, stderr: &tailBuffer{max: maxStderr}, oid: oid, size: size}
	b.cmd = r.command(ctx, "cat-file", "blob", oid)
	b.cmd.Stderr = b.stderr
	out, err := b.cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("git cat-file blob %s: %w", oid, err)
	}
	b.out = out
	return b, nil
}

func (b *blobReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if left := b.size - b.read + 1; int64(len(p)) > left { // one more byte tells a longer blob
		p = p[:left]
	}
	n, err := b.out.Read(p)
	b.read += int64(n)
	switch {
	case b.read > b.size:
		b.err = fmt.Errorf("blob %s is longer than the %d bytes listed", b.oid, b.size)
		return n - 1, b.err
	case errors.Is(err, io.EOF) && b.read < b.size:
		b.err = fmt.Errorf("blob %s: %d of %d bytes: %w", b.oid, b.read, b.size, io.ErrUnexpectedEOF)
	case errors.Is(err, io.EOF):
		b.err = b.wait()
	case err != nil:
		b.err = err
	}
	return n, b.err
}

// wait reaps git at the end of the blob, reporting how it exited.
func (b *blobReader) wait() error {
	err := b.cmd.Wait()
	b.cmd = nil
	if err != nil {
		return commandError(context.Background(), []string{"cat-file", "blob", b.oid}, err, b.stderr.String())
	}
	return io.EOF
}

// Close stops git if the blob was not read to its end.
func (b *blobReader) Close() error {
	b.cancel()
	if b.cmd != nil {
		_ = b.cmd.Wait() // killed on purpose, or already failed: its error says nothing new
		b.cmd = nil
	}
	if b.err == nil {
		b.err = errors.New("read after close")
	}
	return nil
}
