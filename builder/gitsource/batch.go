package gitsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
)

// Batch reads blobs on demand through one git cat-file --batch, for a
// caller that reads many small files in an order it does not know in
// advance (BuildKit's file sync asks for a context's files as it goes):
// one git process instead of one per file. It is safe for concurrent use;
// reads are served one at a time.
type Batch struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	cancel context.CancelFunc
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	err    error // once set, every read fails with it
}

// Batch starts the git process; ctx bounds it. The caller must Close it.
func (c *Commit) Batch(ctx context.Context) (*Batch, error) {
	ctx, cancel := context.WithCancel(ctx)
	b := &Batch{cancel: cancel, stderr: &tailBuffer{max: maxStderr}}
	b.cmd = c.git.command(ctx, "cat-file", "--batch")
	b.cmd.Stderr = b.stderr
	in, err1 := b.cmd.StdinPipe()
	out, err2 := b.cmd.StdoutPipe()
	if err := errors.Join(err1, err2); err != nil {
		cancel()
		return nil, err
	}
	if err := b.cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("git cat-file --batch: %w", err)
	}
	b.in, b.out = in, bufio.NewReaderSize(out, 64<<10)
	return b, nil
}

// Read returns the content of e (from [Commit.Tree]), which must be
// exactly e.Size bytes.
func (b *Batch) Read(e Entry) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	data, err := b.read(e)
	if err != nil {
		b.err = fmt.Errorf("git cat-file --batch: %s: %w%s", e.Path, err, b.stderrNote())
		return nil, b.err
	}
	return data, nil
}

func (b *Batch) read(e Entry) ([]byte, error) {
	if _, err := io.WriteString(b.in, e.Object+"\n"); err != nil {
		return nil, err
	}
	line, err := b.out.ReadString('\n')
	if err != nil {
		return nil, err
	}
	size, err := parseBatchHeader(line, e.Object)
	if err != nil {
		return nil, err
	}
	if size != e.Size {
		return nil, fmt.Errorf("blob %s is %d bytes, listed as %d", e.Object, size, e.Size)
	}
	data := make([]byte, e.Size+1) // and the newline after it
	if _, err := io.ReadFull(b.out, data); err != nil {
		return nil, err
	}
	if data[e.Size] != '\n' {
		return nil, errors.New("no newline after the blob")
	}
	return data[:e.Size], nil
}

func (b *Batch) stderrNote() string {
	if msg := strings.TrimSpace(b.stderr.String()); msg != "" {
		return ": " + msg
	}
	return ""
}

// Close stops git.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return nil
	}
	if b.err != nil {
		b.cancel() // a failed read may have left git writing a blob nobody reads
	}
	b.in.Close() // git exits at the end of its input
	err := b.cmd.Wait()
	b.cancel()
	b.cmd = nil
	if b.err == nil {
		b.err = errors.New("git cat-file --batch: closed")
		if err != nil {
			return fmt.Errorf("git cat-file --batch: %w%s", err, b.stderrNote())
		}
	}
	return nil
}
