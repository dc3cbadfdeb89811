package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/brewkit/brewkit/builder/internal/flock"
)

// BuildLocks are exclusive locks, one per build, kept in a directory that
// brewkit processes share (CACHE/locks): an [Executor] takes a job's lock
// before building it and releases it once the image is staged, so that
// another brewkit about to build the same job at the same time waits,
// then finds the image staged and builds nothing.
//
// They are flock(2) locks on a file per key, named by the key's SHA-256.
// A lock belongs to an open file, so it excludes the goroutines of one
// process as well as other processes, and the kernel releases it when its
// holder dies: a crashed brewkit blocks nobody. The holder removes the
// file when it releases it, so the directory holds only the locks in use
// (and those of crashed holders, until the next holder of the key). The
// directory must be on a local filesystem.
//
// A nil *BuildLocks locks nothing.
type BuildLocks struct {
	dir string
}

// OpenBuildLocks returns the locks kept in dir, creating it.
func OpenBuildLocks(dir string) (*BuildLocks, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("build locks %s: %w", dir, err)
	}
	return &BuildLocks{dir: dir}, nil
}

// Lock takes the lock of key, waiting while another process or goroutine
// holds it, and returns the function that releases it. waiting, if not
// nil, is called once, before Lock starts waiting. Waiting ends when ctx
// is done, with an error that wraps the context's cause.
func (l *BuildLocks) Lock(ctx context.Context, key string, waiting func()) (unlock func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(l.dir, hex.EncodeToString(sum[:])+".lock")
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("opening lock %s of %q: %w", path, key, err)
		}
		if err := flock.Wait(ctx, f, waiting); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s of %q: %w", path, key, err)
		}
		waiting = nil
		ok, err := current(f, path)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s of %q: %w", path, key, err)
		}
		if ok {
			return func() {
				// Removed while held: a waiter that opened it finds it
				// stale once it gets it, and opens the new one.
				_ = os.Remove(path)
				_ = f.Close() // releases the lock
			}, nil
		}
		f.Close() // the holder before removed it after it was opened: try the new one
	}
}

// current reports whether path still names the file f has open.
func current(f *os.File, path string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(held, now), nil
}
