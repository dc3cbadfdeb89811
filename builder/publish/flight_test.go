package publish

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// blockUntil is a flight function that returns v once release is closed,
// or the cause of its context's end, wrapped as an HTTP client wraps it.
func blockUntil(release <-chan struct{}, v int, calls *atomic.Int32) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		calls.Add(1)
		select {
		case <-release:
			return v, nil
		case <-ctx.Done():
			return 0, fmt.Errorf("GET: %w", context.Cause(ctx))
		}
	}
}

func TestFlight(t *testing.T) {
	t.Run("one call per key, remembered", func(t *testing.T) {
		var f flight[int]
		defer f.close()
		var calls atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if v, err := f.do(context.Background(), "k", blockUntil(release, 42, &calls)); v != 42 || err != nil {
					t.Errorf("do: %d, %v", v, err)
				}
			})
		}
		close(release)
		wg.Wait()
		if v, _ := f.do(context.Background(), "k", func(context.Context) (int, error) { return 0, errors.New("called again") }); v != 42 || calls.Load() != 1 {
			t.Errorf("%d calls, then %d; want 1, then the value remembered", calls.Load(), v)
		}
	})
	t.Run("errors are forgotten", func(t *testing.T) {
		var f flight[int]
		defer f.close()
		if _, err := f.do(context.Background(), "k", func(context.Context) (int, error) { return 0, errors.New("boom") }); err == nil {
			t.Fatal("no error")
		}
		if v, err := f.do(context.Background(), "k", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
			t.Errorf("after an error: %d, %v; want a new call", v, err)
		}
	})
	t.Run("a caller that stops waiting fails no other", testFlightCallerLeaves)
	t.Run("a call no one waits for goes on and is remembered", testFlightAbandoned)
	t.Run("close cancels the calls, waits for them, and forgets them", testFlightClose)
	t.Run("a caller whose context is done starts nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var f flight[int]
			defer f.close()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var calls atomic.Int32
			_, err := f.do(ctx, "k", blockUntil(nil, 1, &calls))
			synctest.Wait() // a call started would have been counted
			if !errors.Is(err, context.Canceled) || calls.Load() != 0 {
				t.Errorf("do: %v after %d calls; want context.Canceled and none", err, calls.Load())
			}
		})
	})
}

// testFlightCallerLeaves is issue 9's race: a target whose sibling member
// failed gives up (its errgroup's context ends, with the sibling's error
// as the cause) while another target waits for the same staged image.
func testFlightCallerLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f flight[int]
		defer f.close()
		type key struct{}
		first, cancelFirst := context.WithCancelCause(context.WithValue(context.Background(), key{}, "first"))
		release := make(chan struct{})
		var calls atomic.Int32
		fn := blockUntil(release, 42, &calls)
		var value any
		firstErr := make(chan error, 1)
		go func() {
			_, err := f.do(first, "k", func(ctx context.Context) (int, error) {
				value = ctx.Value(key{})
				return fn(ctx)
			})
			firstErr <- err
		}()
		synctest.Wait()
		second := make(chan int, 1)
		go func() {
			v, err := f.do(context.Background(), "k", fn)
			if err != nil {
				t.Errorf("the second caller: %v", err)
			}
			second <- v
		}()
		synctest.Wait() // both wait for the call
		cancelFirst(errors.New("MANIFEST_UNKNOWN: a sibling member's"))
		if err := <-firstErr; !errors.Is(err, context.Canceled) {
			t.Errorf("the first caller: %v, want context.Canceled", err)
		}
		close(release)
		if v := <-second; v != 42 || calls.Load() != 1 || value != "first" {
			t.Errorf("the second caller got %d from %d calls (context value %v); want 42 from the one call, with the first caller's values", v, calls.Load(), value)
		}
	})
}

func testFlightAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f flight[int]
		defer f.close()
		ctx, cancel := context.WithCancel(context.Background())
		release := make(chan struct{})
		var calls atomic.Int32
		errc := make(chan error, 1)
		go func() {
			_, err := f.do(ctx, "k", blockUntil(release, 5, &calls))
			errc <- err
		}()
		synctest.Wait() // the call runs
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("do: %v, want context.Canceled", err)
		}
		close(release)
		synctest.Wait() // the call has ended
		if v, err := f.do(context.Background(), "k", blockUntil(nil, 6, &calls)); v != 5 || err != nil || calls.Load() != 1 {
			t.Errorf("do: %d, %v after %d calls; want the abandoned call's 5, one call", v, err, calls.Load())
		}
	})
}

func testFlightClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var f flight[int]
		ctx, cancel := context.WithCancel(context.Background())
		var ended atomic.Bool
		errc := make(chan error, 1)
		go func() {
			_, err := f.do(ctx, "k", func(ctx context.Context) (int, error) {
				<-ctx.Done()
				ended.Store(true)
				return 8, nil // a value computed under a cancelled context
			})
			errc <- err
		}()
		synctest.Wait() // the call runs
		cancel()
		<-errc
		f.close()
		if !ended.Load() {
			t.Error("close returned before the call")
		}
		var calls atomic.Int32
		if v, err := f.do(context.Background(), "k", blockUntil(nil, 9, &calls)); !errors.Is(err, errFlightClosed) || calls.Load() != 0 {
			t.Errorf("do after close: %d, %v after %d calls; want errFlightClosed, no call", v, err, calls.Load())
		}
		f.close() // idempotent
	})
}
