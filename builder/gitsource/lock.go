package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/brewkit/brewkit/builder/internal/flock"
)

// lockFile takes an exclusive flock on path, creating the file if needed,
// and returns the function that releases it. flock locks belong to the open
// file, so the lock excludes other goroutines of this process as well as
// other processes. The file is never removed: removing it would let two
// holders lock different inodes.
func lockFile(ctx context.Context, path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	if err := flock.Wait(ctx, f, nil); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() error {
		return errors.Join(syscall.Flock(int(f.Fd()), syscall.LOCK_UN), f.Close())
	}, nil
}
