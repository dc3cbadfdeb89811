package scheduler

import (
	"context"
	"strings"
	"time"
)

// jobDeadline is the cause of a Build's ctx cancelled by Runner.JobTimeout.
type jobDeadline struct{ limit time.Duration }

func (e jobDeadline) Error() string {
	return "exceeded the per-job deadline of " + shortDuration(e.limit)
}
func (e jobDeadline) Unwrap() error { return context.DeadlineExceeded }

// jobContext returns the ctx of one Build call: ctx, cancelled after
// r.JobTimeout if it is set, with a [jobDeadline] as its cause.
func (r *Runner) jobContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.JobTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, r.JobTimeout, jobDeadline{r.JobTimeout})
}

// deadlineError is the error of a job whose attempt ran out of time:
// "cancelled: exceeded the per-job deadline of 3h: " and what Build
// returned. It wraps the cause, and so [context.DeadlineExceeded], but
// keeps Build's error as text only: it may be marked [Transient] (a
// cancelled dial reads as a lost worker), which this failure is not.
type deadlineError struct {
	cause error
	text  string
}

func newDeadlineError(cause, err error) error {
	text := err.Error()
	if !strings.Contains(text, cause.Error()) { // Build did not return the cause itself
		text = cause.Error() + ": " + text
	}
	return &deadlineError{cause: cause, text: "cancelled: " + text}
}

func (e *deadlineError) Error() string { return e.text }
func (e *deadlineError) Unwrap() error { return e.cause }

// shortDuration formats d without zero trailing units: "3h", "1h30m",
// "10ms".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
