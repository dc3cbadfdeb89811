package builder

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/brewkit/brewkit/scheduler"
)

// jobLog is one attempt's own log: a plain display, as --progress plain
// shows, writing to the writer [Executor.Logs] opened.
type jobLog struct {
	progress *Progress
	w        io.WriteCloser
}

func newJobLog(w io.WriteCloser) (*jobLog, error) {
	p, err := NewProgress(w, "plain")
	if err != nil {
		return nil, err
	}
	return &jobLog{progress: p, w: w}, nil
}

// close waits until every status channel of the log is closed and the
// display has written everything, then closes the writer.
func (l *jobLog) close() error {
	err := l.progress.Close()
	return errors.Join(err, l.w.Close())
}

// openLog opens the log of an attempt at job with Logs, if set, and makes
// it the one [Executor.note] and [Executor.statusChannel] write to for
// prefix. It returns the function that closes it. A log that cannot be
// opened or closed is noted in Progress; it never fails the build.
func (e *Executor) openLog(ctx context.Context, job *scheduler.Job, prefix string) (closeLog func()) {
	if e.Logs == nil {
		return func() {}
	}
	l, err := e.newLog(ctx, job, prefix)
	if err != nil {
		e.note(prefix, "no log: "+err.Error())
		return func() {}
	}
	return func() {
		e.logMu.Lock()
		delete(e.logs, prefix)
		e.logMu.Unlock()
		if err := l.close(); err != nil {
			e.note(prefix, "log: "+err.Error())
		}
	}
}

// newLog opens job's log and registers it under prefix.
func (e *Executor) newLog(ctx context.Context, job *scheduler.Job, prefix string) (*jobLog, error) {
	w, err := e.Logs(ctx, job)
	if err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errors.New("the Logs hook returned no writer")
	}
	l, err := newJobLog(w)
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if _, dup := e.logs[prefix]; dup { // a runner runs one attempt of a job at a time
		return nil, errors.Join(fmt.Errorf("an attempt at %s is running already, with its own log", prefix), l.close())
	}
	if e.logs == nil {
		e.logs = map[string]*jobLog{}
	}
	e.logs[prefix] = l
	return l, nil
}

// jobLog returns the open log for prefix, or nil.
func (e *Executor) jobLog(prefix string) *jobLog {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return e.logs[prefix]
}
