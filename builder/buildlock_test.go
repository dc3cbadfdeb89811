package builder

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockHolderEnv makes the test binary a process that takes the lock
// "DIR KEY", prints "locked" and waits to be killed (see TestMain).
const lockHolderEnv = "BREWKIT_TEST_LOCK_HOLDER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(lockHolderEnv); spec != "" {
		os.Exit(holdLock(spec))
	}
	os.Exit(m.Run())
}

// holdLock is the lock holder process: it never releases the lock.
func holdLock(spec string) int {
	var dir, key string
	if _, err := fmt.Sscan(spec, &dir, &key); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	locks, err := OpenBuildLocks(dir)
	if err == nil {
		_, err = locks.Lock(context.Background(), key, nil)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("locked")
	select {}
}

// guard bounds a wait that must end, so that a broken lock fails the test
// instead of hanging it; it asserts nothing about time.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func openLocks(t *testing.T) *BuildLocks {
	t.Helper()
	l, err := OpenBuildLocks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBuildLocks(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, l *BuildLocks)
	}{
		{"a second holder waits for the first", testLockWaits},
		{"different keys do not block", testLockKeysIndependent},
		{"a cancelled wait ends with the cause", testLockCancelled},
		{"one holder at a time under contention", testLockExclusive},
		{"a dead holder's lock is free", testLockHolderDies},
		{"released locks leave no file", testLockNoDebris},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, openLocks(t))
		})
	}
}

func testLockWaits(t *testing.T, l *BuildLocks) {
	unlock, err := l.Lock(guard(t), "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	got := make(chan error, 1)
	go func() {
		unlock2, err := l.Lock(guard(t), "k", func() { close(waiting) })
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	<-waiting
	select {
	case err := <-got:
		t.Fatalf("the second Lock returned (%v) while the first held the lock", err)
	default:
	}
	unlock()
	if err := <-got; err != nil {
		t.Errorf("the second Lock, after the first was released: %v", err)
	}
}

func testLockKeysIndependent(t *testing.T, l *BuildLocks) {
	unlock, err := l.Lock(guard(t), "staging-amd64 amd64 aaaa", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	waited := false
	unlock2, err := l.Lock(guard(t), "staging-amd64 amd64 bbbb", func() { waited = true })
	if err != nil {
		t.Fatalf("Lock of another key while the first is held: %v", err)
	}
	unlock2()
	if waited {
		t.Error("Lock of another key waited for the first")
	}
}

func testLockCancelled(t *testing.T, l *BuildLocks) {
	unlock, err := l.Lock(guard(t), "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	cause := errors.New("the run was interrupted")
	ctx, cancel := context.WithCancelCause(guard(t))
	_, err = l.Lock(ctx, "k", func() { cancel(cause) })
	if !errors.Is(err, cause) {
		t.Errorf("Lock cancelled while waiting: %v, want an error wrapping %q", err, cause)
	}
	_, err = l.Lock(ctx, "k", nil) // already cancelled, still held
	if !errors.Is(err, cause) {
		t.Errorf("Lock with a done context: %v, want an error wrapping %q", err, cause)
	}
}

// testLockExclusive has goroutines take one lock many times, each with
// its own open file as processes would: never are two inside at once,
// although every release removes the file others may have open.
func testLockExclusive(t *testing.T, l *BuildLocks) {
	var inside, entries atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				unlock, err := l.Lock(guard(t), "k", nil)
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders at once", n)
				}
				entries.Add(1)
				runtime.Gosched()
				inside.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	if n := entries.Load(); n != 8*25 {
		t.Errorf("%d entries, want %d", n, 8*25)
	}
}

// testLockHolderDies takes a lock that another process holds, then kills
// that process: the wait ends with the lock taken.
func testLockHolderDies(t *testing.T, l *BuildLocks) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	holder := exec.Command(exe)
	holder.Env = append(os.Environ(), lockHolderEnv+"="+l.dir+" k")
	holder.Stderr = os.Stderr
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("the holder process said %q (%v), want locked", line, err)
	}
	killed := false
	unlock, err := l.Lock(guard(t), "k", func() {
		killed = true
		if err := holder.Process.Kill(); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatalf("Lock after its holder was killed: %v", err)
	}
	unlock()
	if !killed {
		t.Error("Lock did not wait for the holder process")
	}
}

func testLockNoDebris(t *testing.T, l *BuildLocks) {
	for _, key := range []string{"a", "b", "a"} {
		unlock, err := l.Lock(guard(t), key, nil)
		if err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	if left, err := os.ReadDir(l.dir); err != nil || len(left) != 0 {
		t.Errorf("after every lock was released, %s holds %v (%v)", l.dir, left, err)
	}
}

func TestNilBuildLocks(t *testing.T) {
	var l *BuildLocks
	unlock, err := l.Lock(t.Context(), "k", func() { t.Error("a nil BuildLocks waited") })
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}
