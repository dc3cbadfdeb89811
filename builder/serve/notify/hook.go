package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// hook is one URL: its queue, and the goroutine that posts what is on
// it, in order.
type hook struct {
	url      string
	redacted string // for the log: without the URL's password
	o        *Options
	wake     chan struct{} // something was queued, or the hook closed

	mu       sync.Mutex
	queue    []Body
	closed   bool
	dropped  int // in all
	unlogged int // dropped since the last log line
}

func newHook(raw string, o *Options) *hook {
	redacted := raw
	if u, err := url.Parse(raw); err == nil {
		redacted = u.Redacted()
	}
	return &hook{url: raw, redacted: redacted, o: o, wake: make(chan struct{}, 1)}
}

// push queues b, dropping the oldest when the queue is full; after close
// it drops b. It never blocks.
func (h *hook) push(b Body) {
	h.mu.Lock()
	switch {
	case h.closed:
		h.dropped++
	case len(h.queue) >= h.o.Queue:
		h.queue = append(h.queue[1:], b)
		h.dropped++
		h.unlogged++
	default:
		h.queue = append(h.queue, b)
	}
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// close has run return once the queue is empty.
func (h *hook) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

func (h *hook) droppedCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// next takes the oldest notification queued; done is true once the hook
// is closed and its queue empty. It logs the drops since the last call.
func (h *hook) next() (b Body, ok, done bool) {
	h.mu.Lock()
	unlogged := h.unlogged
	h.unlogged = 0
	if len(h.queue) > 0 {
		b, ok = h.queue[0], true
		h.queue[0] = Body{}
		h.queue = h.queue[1:]
	}
	done = !ok && h.closed
	h.mu.Unlock()
	if unlogged > 0 {
		h.o.Logger.Warn("notifications dropped: the queue was full", "url", h.redacted, "dropped", unlogged)
	}
	return b, ok, done
}

// run posts the notifications queued, in order, until the hook is closed
// and its queue empty, or ctx is done (the rest are dropped).
func (h *hook) run(ctx context.Context) {
	for {
		b, ok, done := h.next()
		switch {
		case done:
			return
		case ok:
			if err := h.deliver(ctx, b); err != nil {
				h.o.Logger.Warn("notification not delivered", "url", h.redacted, "kind", b.Kind, "err", err)
			}
			if ctx.Err() != nil {
				h.drain()
				return
			}
			continue
		}
		select {
		case <-h.wake:
		case <-ctx.Done():
			h.drain()
			return
		}
	}
}

// drain drops what is left on the queue.
func (h *hook) drain() {
	h.mu.Lock()
	h.dropped += len(h.queue)
	h.queue = nil
	h.mu.Unlock()
}

// deliver posts b, and tries again after a 5xx, a 429 or a network
// error, Attempts times in all.
func (h *hook) deliver(ctx context.Context, b Body) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	wait := h.o.Backoff
	for attempt := 1; ; attempt++ {
		retryAfter, err := h.post(ctx, raw)
		if err == nil || retryAfter < 0 || attempt >= h.o.Attempts {
			return err
		}
		d := min(wait, maxBackoff)
		if retryAfter > 0 {
			d = min(retryAfter, maxBackoff)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		wait *= 2
	}
}

// post sends raw once. On an error worth another try it returns the
// wait the answer asks for (0: the backoff's); on one that is not, -1.
func (h *hook) post(ctx context.Context, raw []byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, h.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(raw))
	if err != nil {
		return -1, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "brewkit-serve")
	resp, err := h.o.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST: %w", redact(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return time.Duration(max(secs, 0)) * time.Second, fmt.Errorf("POST: %s", resp.Status)
	case resp.StatusCode >= 500:
		return 0, fmt.Errorf("POST: %s", resp.Status)
	}
	return -1, fmt.Errorf("POST: %s (not tried again)", resp.Status)
}

// redact drops the URL, which may hold a password, from a client's
// error.
func redact(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
