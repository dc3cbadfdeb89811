package serve

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// BackoffError is the error of a job held back because its build failed
// recently: it is tried again at Next.
type BackoffError struct {
	Count int       // failed attempts so far
	Next  time.Time // the next attempt
	Last  string    // the last attempt's error
}

func (e *BackoffError) Error() string {
	return fmt.Sprintf("backing off after %d failed attempt(s) until %s; the last: %s", e.Count, e.Next.UTC().Format(time.RFC3339), e.Last)
}

// admit holds back a job whose build is in backoff; its descendants wait.
func (d *Daemon) admit(st *state) func(*scheduler.Job, string) error {
	return func(j *scheduler.Job, buildID string) error {
		b, ok, err := d.opts.Store.Backoff(buildID, j.Arch)
		if err != nil {
			return fmt.Errorf("reading the backoff of %s: %w", j, err)
		}
		if !ok {
			return nil
		}
		if !b.Next.After(time.Now()) { // tried again: a failure is one more in a row
			st.update(j, func(sj *store.Job) { sj.Failures = b.Count })
			return nil
		}
		st.update(j, func(sj *store.Job) {
			sj.State, sj.NextAttempt, sj.BuildID, sj.Failures = StateBackoff, b.Next, buildID, b.Count
		})
		return &BackoffError{Count: b.Count, Next: b.Next, Last: b.Err}
	}
}

// openLog gives each attempt of a job a log file of its own, made at its
// first write: an attempt held back by its backoff writes nothing, and
// leaves the job's last log as it is.
func (d *Daemon) openLog(st *state) func(context.Context, *scheduler.Job) (io.WriteCloser, error) {
	return func(_ context.Context, j *scheduler.Job) (io.WriteCloser, error) {
		sj, _ := st.job(j)
		return &lazyLog{open: func() (io.WriteCloser, error) {
			w, path, err := d.opts.Logs.Create(j.ID, sj.Attempts)
			if err == nil {
				st.update(j, func(sj *store.Job) { sj.Log = path })
			}
			return w, err
		}}, nil
	}
}

// lazyLog opens its file at the first write.
type lazyLog struct {
	open func() (io.WriteCloser, error)
	w    io.WriteCloser
	err  error
}

func (l *lazyLog) Write(p []byte) (int, error) {
	if l.w == nil && l.err == nil {
		l.w, l.err = l.open()
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.w.Write(p)
}

func (l *lazyLog) Close() error {
	if l.w == nil {
		return nil
	}
	return l.w.Close()
}

// jobContext gives each running job a context that [Daemon.Cancel] can
// cancel.
func (d *Daemon) jobContext(st *state) func(context.Context, *scheduler.Job) (context.Context, context.CancelFunc) {
	return func(ctx context.Context, j *scheduler.Job) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancelCause(ctx)
		st.mu.Lock()
		st.cancels[j.ID] = func() { cancel(errCancelled) }
		st.mu.Unlock()
		return ctx, func() {
			st.mu.Lock()
			delete(st.cancels, j.ID)
			st.mu.Unlock()
			cancel(nil)
		}
	}
}

// setWake has the next run start when the earliest backoff ends.
func (d *Daemon) setWake(st *state) {
	next, ok := st.nextAttempt()
	if !ok {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timer = time.AfterFunc(max(time.Until(next), 0), d.due)
}
