package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// An attempt that hits Runner.JobTimeout fails the job, whatever Build
// made of its cancelled ctx: not retried, not transient, its worker not
// marked down; a job that does not block is unaffected.
func TestRunJobTimeout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ret     func(ctx context.Context) error // what Build returns once ctx is done
		wantErr string
	}{
		{"ctx.Err", func(ctx context.Context) error { return ctx.Err() },
			"cancelled: exceeded the per-job deadline of 1ms: context deadline exceeded"},
		{"transient", func(ctx context.Context) error { return Transient(errors.New("dial worker: " + ctx.Err().Error())) },
			"cancelled: exceeded the per-job deadline of 1ms: dial worker: context deadline exceeded"},
		{"cause", func(ctx context.Context) error { return context.Cause(ctx) },
			"cancelled: exceeded the per-job deadline of 1ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := newTestPool(t, []workers.Worker{worker("x86", 2, "amd64")}, PoolOptions{Backoff: time.Hour})
			f := newFakeExec()
			f.hook = func(ctx context.Context, _ workers.Worker, j *Job) error {
				if j.ID != "slow/amd64" {
					return nil
				}
				<-ctx.Done()
				return tc.ret(ctx)
			}
			r := &Runner{Pool: pool, Exec: f, JobTimeout: time.Millisecond}
			rep := r.Run(context.Background(), jobsOf("slow amd64", "child amd64 slow", "quick amd64"))
			slow, child, quick := rep.Outcomes[0], rep.Outcomes[1], rep.Outcomes[2]
			if slow.Status != Failed || slow.Attempts != 1 || slow.Err == nil || slow.Err.Error() != tc.wantErr {
				t.Errorf("slow: %s after %d attempts (%v); want failed after 1: %s", slow.Status, slow.Attempts, slow.Err, tc.wantErr)
			}
			if !errors.Is(slow.Err, context.DeadlineExceeded) || IsTransient(slow.Err) {
				t.Errorf("slow's error %q: wraps the deadline %t (want true), transient %t (want false)",
					slow.Err, errors.Is(slow.Err, context.DeadlineExceeded), IsTransient(slow.Err))
			}
			if child.Status != Skipped || quick.Status != Built {
				t.Errorf("child %s, quick %s; want skipped, built", child.Status, quick.Status)
			}
			if h := pool.Health()[0]; !h.Up || h.Failures != 0 || h.Err != nil {
				t.Errorf("x86 after the timeout: %+v; want up, never marked down", h)
			}
		})
	}
}

// A run cancelled while an attempt runs cancels it as before: the job is
// cancelled, not failed for the deadline.
func TestRunJobTimeoutCancelledRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeExec()
	f.hook = func(ctx context.Context, _ workers.Worker, _ *Job) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	rep := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f, JobTimeout: time.Hour}).Run(ctx, jobsOf("a amd64"))
	if o := rep.Outcomes[0]; o.Status != Cancelled || errors.Is(o.Err, context.DeadlineExceeded) {
		t.Errorf("a: %s (%v); want cancelled with the run", o.Status, o.Err)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3 * time.Hour:                      "3h",
		90 * time.Minute:                   "1h30m",
		30 * time.Minute:                   "30m",
		time.Hour + 5*time.Second:          "1h0m5s",
		45 * time.Second:                   "45s",
		10 * time.Millisecond:              "10ms",
		2*time.Hour + 500*time.Millisecond: "2h0m0.5s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
