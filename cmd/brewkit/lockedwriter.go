package main

import (
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"
)

// safeStderr is cmd's stderr, made safe for the progress displays, the
// log and the command, which write to it from several goroutines. A file
// is: each write is one system call, and the displays must see it is a
// terminal. Any other writer (a test's buffer) is wrapped in a
// lockedWriter, which cmd then uses too.
func safeStderr(cmd *cobra.Command) io.Writer {
	w := cmd.ErrOrStderr()
	if _, ok := w.(*os.File); ok {
		return w
	}
	lw := &lockedWriter{w: w}
	cmd.SetErr(lw)
	return lw
}

// lockedWriter serializes the writes of several goroutines to w, so that
// lines from the progress display and the log do not interleave (and a
// test's bytes.Buffer is not written concurrently).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
