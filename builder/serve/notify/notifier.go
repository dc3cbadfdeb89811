package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/brewkit/brewkit/builder/serve"
)

// Options are a Notifier's settings. A zero field takes the default
// written next to it.
type Options struct {
	// URLs receive every notification, each on a queue of its own;
	// http or https.
	URLs []string
	// Failures is the failure in a row of a job's build that is told,
	// and every one after it (default 3; 1 tells every failure).
	Failures int
	// Queue bounds the notifications waiting for each URL (default 256);
	// a full queue drops its oldest.
	Queue int
	// Timeout bounds each POST (default 10s).
	Timeout time.Duration
	// Attempts is how often a POST is tried, the first time included
	// (default 5); Backoff the wait before the second, doubling up to
	// a minute (default 1s).
	Attempts int
	Backoff  time.Duration
	// Client sends the POSTs (default a new http.Client).
	Client *http.Client
	// Logger receives failed deliveries and drops; nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Failures <= 0 {
		o.Failures = 3
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// maxBackoff caps the wait between two tries of a POST, and the wait a
// 429's Retry-After asks for.
const maxBackoff = time.Minute

// Notifier posts the daemon's notifications to its URLs; see the
// package doc. Give its Observe to serve.Options.Observe, and Close it
// once the daemon has stopped.
type Notifier struct {
	o     Options
	hooks []*hook
	ctx   context.Context // of the deliveries, cancelled when Close gives up
	stop  context.CancelFunc
	wg    sync.WaitGroup
	once  sync.Once
}

// New checks o and starts a goroutine per URL.
func New(o Options) (*Notifier, error) {
	o = o.withDefaults()
	for _, raw := range o.URLs {
		if err := CheckURL(raw); err != nil {
			return nil, err
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	n := &Notifier{o: o, ctx: ctx, stop: stop}
	for _, raw := range o.URLs {
		h := newHook(raw, &n.o)
		n.hooks = append(n.hooks, h)
		n.wg.Go(func() { h.run(ctx) })
	}
	return n, nil
}

// CheckURL checks that raw is a URL a Notifier can post to: http or
// https, with a host. Its error never shows the URL's password.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("notify URL: %w", redact(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("notify URL %s: want http:// or https://", u.Redacted())
	}
	return nil
}

// Observe queues the notification ev makes, if any, for every URL. It
// never blocks: a full queue drops its oldest.
func (n *Notifier) Observe(ev serve.Event) {
	b, ok := body(ev, n.o.Failures)
	if !ok {
		return
	}
	for _, h := range n.hooks {
		h.push(b)
	}
}

// Dropped is how many notifications were dropped, over every URL: by a
// full queue, after Close, or undelivered when Close gave up.
func (n *Notifier) Dropped() int {
	d := 0
	for _, h := range n.hooks {
		d += h.droppedCount()
	}
	return d
}

// Close stops taking notifications, delivers those queued, and returns
// when all are delivered (or failed), or, with ctx's error, when ctx is
// done first: then the deliveries in flight are cancelled and the rest
// dropped. Further calls return at once.
func (n *Notifier) Close(ctx context.Context) error {
	var err error
	n.once.Do(func() {
		for _, h := range n.hooks {
			h.close()
		}
		done := make(chan struct{})
		go func() { n.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			n.stop()
			<-done
			err = errors.Join(errors.New("notify: closing before every notification was delivered"), ctx.Err())
		}
		n.stop()
	})
	return err
}
