package gitsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// blobStream reads many blobs, in a known order, from one git cat-file
// --batch: a goroutine writes every object id up front while the caller
// reads the answers one by one with next.
type blobStream struct {
	cmd     *exec.Cmd
	cancel  context.CancelFunc
	out     *bufio.Reader
	stderr  *tailBuffer
	cur     *io.LimitedReader // the unread rest of the current blob
	left    int               // blobs not yet asked for with next
	written chan error        // the writer goroutine's result
}

// openBlobs starts git cat-file --batch for oids. The caller must close the
// stream.
func (r runner) openBlobs(ctx context.Context, oids []string) (*blobStream, error) {
	if len(oids) == 0 {
		return &blobStream{}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	b := &blobStream{cancel: cancel, stderr: &tailBuffer{max: maxStderr}, left: len(oids), written: make(chan error, 1)}
	b.cmd = r.command(ctx, "cat-file", "--batch")
	b.cmd.Stderr = b.stderr
	stdin, err := b.cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("git cat-file --batch: %w", err)
	}
	b.out = bufio.NewReaderSize(stdout, 64<<10)
	go func() { b.written <- writeLines(stdin, oids) }()
	return b, nil
}

// writeLines writes one id a line, then closes w so cat-file exits.
func writeLines(w io.WriteCloser, ids []string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, id := range ids {
		bw.WriteString(id)
		bw.WriteByte('\n')
	}
	return errors.Join(bw.Flush(), w.Close())
}

// next returns the size and content of the next blob, which must be oid.
// The content is valid until the following call.
func (b *blobStream) next(oid string) (int64, io.Reader, error) {
	if b.left == 0 {
		return 0, nil, fmt.Errorf("blob %s was not asked for", oid)
	}
	if b.cur != nil {
		if _, err := io.Copy(io.Discard, b.cur); err != nil {
			return 0, nil, b.fail(err)
		}
		if c, err := b.out.ReadByte(); err != nil || c != '\n' {
			return 0, nil, b.fail(fmt.Errorf("git cat-file --batch: no newline after a blob (%v)", err))
		}
	}
	b.left--
	line, err := b.out.ReadString('\n')
	if err != nil {
		return 0, nil, b.fail(err)
	}
	size, err := parseBatchHeader(line, oid)
	if err != nil {
		return 0, nil, err
	}
	b.cur = &io.LimitedReader{R: b.out, N: size}
	return size, b.cur, nil
}

// parseBatchHeader reads git cat-file --batch's "OID blob SIZE" line for
// the blob oid, and returns the size.
func parseBatchHeader(line, oid string) (int64, error) {
	f := strings.Fields(line)
	switch {
	case len(f) == 2 && f[0] == oid && f[1] == "missing":
		return 0, fmt.Errorf("object %s is missing", oid)
	case len(f) != 3 || f[0] != oid || f[1] != "blob":
		return 0, fmt.Errorf("git cat-file --batch: got %q, want blob %s", strings.TrimSpace(line), oid)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("git cat-file --batch: got %q: %w", strings.TrimSpace(line), err)
	}
	return size, nil
}

// fail adds git's stderr to a read error.
func (b *blobStream) fail(err error) error {
	if msg := strings.TrimSpace(b.stderr.String()); msg != "" {
		return fmt.Errorf("git cat-file --batch: %w: %s", err, msg)
	}
	return fmt.Errorf("git cat-file --batch: %w", err)
}

// close stops git. After every blob was read it reports how git exited;
// after an early stop it kills git and reports nothing.
func (b *blobStream) close() error {
	if b.cmd == nil {
		return nil
	}
	defer b.cancel()
	if b.left > 0 || (b.cur != nil && b.cur.N > 0) {
		b.cancel()
		<-b.written
		_ = b.cmd.Wait() // killed on purpose: its error says nothing
		return nil
	}
	werr := <-b.written
	if err := b.cmd.Wait(); err != nil {
		return b.fail(err)
	}
	if werr != nil {
		return fmt.Errorf("git cat-file --batch: writing object ids: %w", werr)
	}
	return nil
}
