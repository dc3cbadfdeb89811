package publish

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestFlight(t *testing.T) {
	t.Run("one call per key, remembered", func(t *testing.T) {
		var f flight[int]
		var calls atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := f.do(context.Background(), "k", func() (int, error) {
					calls.Add(1)
					<-release
					return 42, nil
				})
				if v != 42 || err != nil {
					t.Errorf("do: %d, %v", v, err)
				}
			}()
		}
		close(release)
		wg.Wait()
		if v, _ := f.do(context.Background(), "k", func() (int, error) { return 0, errors.New("called again") }); v != 42 || calls.Load() != 1 {
			t.Errorf("%d calls, then %d; want 1, then the value remembered", calls.Load(), v)
		}
	})
	t.Run("errors are forgotten", func(t *testing.T) {
		var f flight[int]
		if _, err := f.do(context.Background(), "k", func() (int, error) { return 0, errors.New("boom") }); err == nil {
			t.Fatal("no error")
		}
		if v, err := f.do(context.Background(), "k", func() (int, error) { return 7, nil }); v != 7 || err != nil {
			t.Errorf("after an error: %d, %v; want a new call", v, err)
		}
	})
	t.Run("a waiter retries when the first caller's context ended", func(t *testing.T) {
		var f flight[int]
		ctx, cancel := context.WithCancel(context.Background())
		started, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			f.do(ctx, "k", func() (int, error) {
				close(started)
				<-ctx.Done()
				return 0, ctx.Err()
			})
		}()
		<-started
		got := make(chan int)
		go func() {
			v, err := f.do(context.Background(), "k", func() (int, error) { return 9, nil })
			if err != nil {
				t.Error(err)
			}
			got <- v
		}()
		cancel()
		<-done
		if v := <-got; v != 9 {
			t.Errorf("waiter got %d, want its own call's 9", v)
		}
	})
}
