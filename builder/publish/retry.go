package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// RetryPolicy bounds the requests of a [RetryTransport]. A zero field takes
// the default written next to it.
type RetryPolicy struct {
	// Attempts is how often one request is tried, the first time included
	// (default 5).
	Attempts int
	// Backoff is the wait before the second try after a 5xx answer or a
	// network error; it doubles on every try after that (default 500ms).
	Backoff time.Duration
	// MaxBackoff caps that doubling wait (default 30s).
	MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a 429 (or 503) answer asks for with
	// Retry-After (default 60s).
	MaxRetryAfter time.Duration
	// Timeout bounds each try, from sending the request to closing the
	// response body (default 5m).
	Timeout time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	def(&p.Backoff, 500*time.Millisecond)
	def(&p.MaxBackoff, 30*time.Second)
	def(&p.MaxRetryAfter, 60*time.Second)
	def(&p.Timeout, 5*time.Minute)
	return p
}

// RetryTransport is an [http.RoundTripper] that bounds every request in time
// and retries the answers a registry means to be retried:
//
//   - 429 Too Many Requests, after the Retry-After it asks for (seconds or an
//     HTTP date), capped at MaxRetryAfter, or the backoff when it names none;
//   - 500, 502, 503 and 504, after an exponential backoff (a 503's
//     Retry-After is honoured like a 429's);
//   - connection resets, refusals and timeouts of idempotent requests
//     (GET, HEAD, PUT, DELETE); not TLS or DNS errors, which would recur.
//
// A request is retried only when its body can be replayed (no body, or
// GetBody set, as [http.NewRequest] does for byte readers): a streamed blob
// upload is not, and go-containerregistry restarts such an upload whole.
// After Attempts tries the last answer (or error) is returned as it is.
// Waits end early, with the context's error, when the request's context is
// done.
type RetryTransport struct {
	base    http.RoundTripper
	policy  RetryPolicy
	sleep   func(context.Context, time.Duration) error
	retries atomic.Int64
}

var _ http.RoundTripper = (*RetryTransport)(nil)

// NewRetryTransport wraps base (nil: [http.DefaultTransport]) with the
// retries and timeouts of policy.
func NewRetryTransport(base http.RoundTripper, policy RetryPolicy) *RetryTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &RetryTransport{base: base, policy: policy.withDefaults(), sleep: sleepCtx}
}

// Retries returns how many tries of its requests t has sent again so far.
func (t *RetryTransport) Retries() int64 { return t.retries.Load() }

// RoundTrip sends req, trying again as the type's documentation says.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		try, err := rewound(req, attempt)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(req.Context(), t.policy.Timeout)
		resp, err := t.base.RoundTrip(try.WithContext(ctx))
		wait, again := t.retryAfter(req, resp, err, attempt)
		if !again {
			if resp == nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		cancel()
		t.retries.Add(1)
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// rewound is req for its attempt-th try: req itself first, then a clone
// with a fresh body.
func rewound(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("%s %s: replaying the body: %w", req.Method, req.URL.Redacted(), err)
	}
	try := req.Clone(req.Context())
	try.Body = body
	return try, nil
}

// retryAfter reports whether the answer (resp or err) to the attempt-th
// try of req is worth another, and after how long.
func (t *RetryTransport) retryAfter(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.policy.Attempts || !replayable(req) || req.Context().Err() != nil {
		return 0, false
	}
	backoff := min(t.policy.Backoff<<(attempt-1), t.policy.MaxBackoff)
	if err != nil {
		return backoff, idempotent(req.Method) && transient(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, t.policy.MaxRetryAfter), true
		}
		return backoff, true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return backoff, true
	}
	return 0, false
}

// transient reports whether err, from sending a request, may not happen
// again: a try's timeout, a connection reset, refused or cut short. A
// TLS or DNS failure, or a cancellation, will.
func transient(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return true
	}
	for _, e := range []error{syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.EPIPE, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cancelOnClose ends a try's timeout context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
