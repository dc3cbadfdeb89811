// Package flock takes flock(2) locks that a context can stop waiting for.
//
//	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
//	if err != nil { ... }
//	if err := flock.Wait(ctx, f, nil); err != nil { ... } // held: f.Close releases it
package flock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Polling: flock cannot be interrupted, so Wait retries a non-blocking
// flock with backoff.
const (
	pollMin = 2 * time.Millisecond
	pollMax = 100 * time.Millisecond
)

// Wait takes an exclusive flock on f, polling with backoff while another
// open file (of this process or another) holds it. waiting, if not nil,
// is called once, the first time Wait has to wait. Waiting ends when ctx
// is done, with an error that wraps the context's cause. The lock is
// released by unlocking f or closing it, and by the kernel when the
// process dies.
func Wait(ctx context.Context, f *os.File, waiting func()) error {
	wait := pollMin
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for it: %w", context.Cause(ctx))
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
	}
}
