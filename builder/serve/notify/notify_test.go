package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// receiver is a web hook that records what it is sent, answering with
// the statuses of script in turn, then 200.
type receiver struct {
	url string

	mu     sync.Mutex
	script []int
	bodies []string
	types  []string
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies, r.types = append(r.bodies, string(b)), append(r.types, req.Header.Get("Content-Type"))
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *receiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

var at = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func published(tag string) serve.Event {
	return serve.Event{Kind: serve.TagPublished, Time: at, Tag: store.Tag{Ref: "r.example/library/debian:" + tag, Repo: "debian", Tag: tag,
		Digest: "sha256:0123", Commit: "c0ffee", Time: at, Jobs: []string{"s1/amd64", "s1/arm64v8"}, Action: "written"}}
}

func failed(failures int) serve.Event {
	return serve.Event{Kind: serve.JobEnded, Time: at, Outcome: "failed", Job: store.Job{ID: "s1/arm64v8", Repo: "debian",
		Tags: []string{"debian:12"}, Arch: "arm64v8", State: serve.StateFailed, Attempts: 1, Failures: failures,
		Error: "exit code: 1", Commit: "c0ffee", Image: "user:secret@r.example/x"}}
}

// newTestNotifier is a Notifier of urls that retries at once, closed
// when the test ends.
func newTestNotifier(t *testing.T, o Options) *Notifier {
	t.Helper()
	o.Backoff = time.Millisecond
	n, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close(context.Background()) })
	return n
}

// TestDelivery: a tag published and a job failing its third time in a
// row (the default Failures) and after are posted, in order, as the
// package doc shows; other events are not.
func TestDelivery(t *testing.T) {
	r := newReceiver(t)
	n := newTestNotifier(t, Options{URLs: []string{r.url}})
	for _, ev := range []serve.Event{
		published("12"),
		failed(1),
		failed(2),
		failed(3),
		{Kind: serve.JobEnded, Time: at, Outcome: "up to date", Job: store.Job{ID: "s2/amd64", State: serve.StateSucceeded}},
		{Kind: serve.JobEnded, Time: at, Job: store.Job{ID: "s3/amd64", State: serve.StateBackoff, Failures: 5}}, // held back
		{Kind: serve.Synced, Time: at, Commit: "c0ffee"},
		failed(4),
	} {
		n.Observe(ev)
	}
	if err := n.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"kind":"tag-published","time":"2026-03-14T15:09:26Z","commit":"c0ffee","tag":{"ref":"r.example/library/debian:12","repo":"debian","tag":"12","digest":"sha256:0123","jobs":["s1/amd64","s1/arm64v8"]}}`,
		`{"kind":"job-failed","time":"2026-03-14T15:09:26Z","commit":"c0ffee","job":{"id":"s1/arm64v8","repo":"debian","tags":["debian:12"],"arch":"arm64v8","failures":3,"attempts":1,"error":"exit code: 1","log":"/api/v1/jobs/s1/arm64v8/log"}}`,
		`{"kind":"job-failed","time":"2026-03-14T15:09:26Z","commit":"c0ffee","job":{"id":"s1/arm64v8","repo":"debian","tags":["debian:12"],"arch":"arm64v8","failures":4,"attempts":1,"error":"exit code: 1","log":"/api/v1/jobs/s1/arm64v8/log"}}`,
	}
	if diff := cmp.Diff(want, r.received()); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
	for _, ct := range r.types {
		if ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	}
}

// TestFailuresThreshold: Failures 1 tells every failure.
func TestFailuresThreshold(t *testing.T) {
	for _, tt := range []struct{ failures, want int }{{1, 4}, {3, 2}, {5, 0}} {
		t.Run(strconv.Itoa(tt.failures), func(t *testing.T) {
			r := newReceiver(t)
			n := newTestNotifier(t, Options{URLs: []string{r.url}, Failures: tt.failures})
			for i := 1; i <= 4; i++ {
				n.Observe(failed(i))
			}
			if err := n.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := len(r.received()); got != tt.want {
				t.Errorf("Failures %d: %d notifications of 4 failures, want %d", tt.failures, got, tt.want)
			}
		})
	}
}

// TestRetries: a 5xx or a 429 is tried again; another 4xx is not.
func TestRetries(t *testing.T) {
	tests := []struct {
		name   string
		script []int
		posts  int
	}{
		{"500 then 200", []int{500}, 2},
		{"503 twice then 200", []int{503, 503}, 3},
		{"429 then 200", []int{429}, 2},
		{"400 is not", []int{400}, 1},
		{"404 is not", []int{404}, 1},
		{"500 until the last attempt", []int{500, 500, 500}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReceiver(t, tt.script...)
			n := newTestNotifier(t, Options{URLs: []string{r.url}, Attempts: 3})
			n.Observe(published("12"))
			if err := n.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := len(r.received()); got != tt.posts {
				t.Errorf("%d POSTs, want %d", got, tt.posts)
			}
		})
	}
}

// TestFullQueueDoesNotBlock: while the receiver hangs, Observe returns,
// and the queue keeps the newest notifications; a Close that gives up
// drops the rest, and says so.
func TestFullQueueDoesNotBlock(t *testing.T) {
	release := make(chan struct{})
	got := make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		<-release
		got <- string(b)
	}))
	defer srv.Close()
	defer close(release)
	n, err := New(Options{URLs: []string{srv.URL}, Queue: 2, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const sent = 100
	for i := range sent {
		n.Observe(published(strconv.Itoa(i)))
	}
	if d := n.Dropped(); d < sent-3 || d > sent-2 {
		t.Errorf("Dropped() = %d of %d with a queue of 2 and one in flight; want %d or %d", d, sent, sent-3, sent-2)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := n.Close(ctx); err == nil {
		t.Error("Close gave up on undelivered notifications without an error")
	}
	if d := n.Dropped(); d < sent-1 {
		t.Errorf("after Close gave up, Dropped() = %d of %d, want all but the one in flight", d, sent)
	}
	n.Observe(published("after"))
	if d := n.Dropped(); d < sent {
		t.Errorf("a notification after Close was not dropped: Dropped() = %d", d)
	}
}

// TestCloseDrains: Close returns once the queue is delivered, and keeps
// the order; the newest survive a full queue.
func TestCloseDrains(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var tags []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		<-release
		var b Body
		if err := json.NewDecoder(req.Body).Decode(&b); err != nil {
			t.Error(err)
		}
		mu.Lock()
		tags = append(tags, b.Tag.Tag)
		mu.Unlock()
	}))
	defer srv.Close()
	n, err := New(Options{URLs: []string{srv.URL}, Queue: 3})
	if err != nil {
		t.Fatal(err)
	}
	n.Observe(published("first")) // in flight, or dropped if still queued when the rest come
	for i := range 5 {
		n.Observe(published(strconv.Itoa(i)))
	}
	close(release)
	if err := n.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tags) < 3 || !cmp.Equal(tags[len(tags)-3:], []string{"2", "3", "4"}) {
		t.Errorf("delivered %q; want the newest three last, in order", tags)
	}
	if len(tags)+n.Dropped() != 6 {
		t.Errorf("%d delivered and %d dropped of 6", len(tags), n.Dropped())
	}
}

// New refuses a URL that is not http or https.
func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"ftp://x/y", "hooks.example/x", "http://", "http://a b/"} {
		if n, err := New(Options{URLs: []string{u}}); err == nil {
			n.Close(context.Background())
			t.Errorf("New(%q): no error", u)
		}
	}
}
