package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// window is what the daemon logged during one sync.
type window struct {
	synced     time.Time     // when it logged "synced"
	syncTook   time.Duration // its took: poll, read, plan
	jobs       int           // "job ended" records
	statuses   map[string]int
	lastJob    time.Time // the last "job ended"
	published  time.Time // when it logged "published"
	written    int64     // indexes written
	blocked    int64
	errors     int // records at error level
	firstError string
}

// recorder is a slog.Handler that passes records on to next and notes,
// in the current window, the ones a sync's phases are read from.
type recorder struct {
	next slog.Handler
	mu   *sync.Mutex
	cur  **window
}

func newRecorder(next slog.Handler) *recorder {
	w := &window{statuses: map[string]int{}}
	return &recorder{next: next, mu: &sync.Mutex{}, cur: &w}
}

// reset starts a new window and returns the one that ends.
func (r *recorder) reset() *window {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := *r.cur
	*r.cur = &window{statuses: map[string]int{}}
	return w
}

func (r *recorder) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *recorder) Handle(ctx context.Context, rec slog.Record) error {
	r.mu.Lock()
	w := *r.cur
	switch rec.Message {
	case "synced":
		w.synced = rec.Time
		w.syncTook = durationAttr(rec, "took")
	case "job ended":
		w.jobs++
		w.lastJob = rec.Time
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "status" {
				w.statuses[a.Value.String()]++
			}
			return true
		})
	case "published":
		w.published = rec.Time
		rec.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "written":
				w.written = a.Value.Int64()
			case "blocked":
				w.blocked = a.Value.Int64()
			}
			return true
		})
	}
	if rec.Level >= slog.LevelError {
		if w.errors++; w.errors == 1 {
			w.firstError = rec.Message
			rec.Attrs(func(a slog.Attr) bool { w.firstError += " " + a.String(); return true })
		}
	}
	r.mu.Unlock()
	return r.next.Handle(ctx, rec)
}

func (r *recorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &recorder{next: r.next.WithAttrs(attrs), mu: r.mu, cur: r.cur}
}

func (r *recorder) WithGroup(name string) slog.Handler {
	return &recorder{next: r.next.WithGroup(name), mu: r.mu, cur: r.cur}
}

func durationAttr(rec slog.Record, key string) time.Duration {
	var d time.Duration
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key && a.Value.Kind() == slog.KindDuration {
			d = a.Value.Duration()
		}
		return true
	})
	return d
}
