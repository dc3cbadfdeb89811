package publish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// answer is a scripted answer of fakeBase: a status (and headers), or an
// error when status is 0.
type answer struct {
	status int
	header map[string]string
	err    error
}

// fakeBase answers requests from a script, then 200, and records what it
// was sent: "METHOD body".
type fakeBase struct {
	mu     sync.Mutex
	script []answer
	sent   []string
	block  bool // wait for the request's context to end instead
}

func (f *fakeBase) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	f.mu.Lock()
	f.sent = append(f.sent, strings.TrimSpace(req.Method+" "+string(body)))
	a := answer{status: http.StatusOK}
	if len(f.script) > 0 {
		a, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	if f.block {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	if a.err != nil {
		return nil, a.err
	}
	resp := &http.Response{StatusCode: a.status, Header: http.Header{}, Request: req,
		Body: &ctxBody{ctx: req.Context(), r: strings.NewReader("answer")}}
	for k, v := range a.header {
		resp.Header.Set(k, v)
	}
	return resp, nil
}

// ctxBody fails reads once its request's context is done, as a real
// transport's body does.
type ctxBody struct {
	ctx context.Context
	r   io.Reader
}

func (b *ctxBody) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	return b.r.Read(p)
}
func (b *ctxBody) Close() error { return nil }

func TestRetryTransport(t *testing.T) {
	errReset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	s503 := answer{status: http.StatusServiceUnavailable}
	tests := []struct {
		name       string
		method     string
		body       io.Reader // a bytes.Reader can be replayed; others not
		script     []answer
		wantStatus int
		wantErr    string
		wantSleeps []time.Duration
		wantSent   int
	}{{
		name:       "429 honours Retry-After seconds",
		script:     []answer{{status: 429, header: map[string]string{"Retry-After": "1"}}},
		wantStatus: 200, wantSleeps: []time.Duration{time.Second}, wantSent: 2,
	}, {
		name:       "429 Retry-After is capped",
		script:     []answer{{status: 429, header: map[string]string{"Retry-After": "3600"}}},
		wantStatus: 200, wantSleeps: []time.Duration{time.Minute}, wantSent: 2,
	}, {
		name:       "429 without Retry-After backs off",
		script:     []answer{{status: 429}},
		wantStatus: 200, wantSleeps: []time.Duration{500 * time.Millisecond}, wantSent: 2,
	}, {
		name:       "5xx back off exponentially",
		script:     []answer{s503, {status: 500}, {status: 502}, {status: 504}},
		wantStatus: 200, wantSleeps: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}, wantSent: 5,
	}, {
		name:       "attempts are bounded: the last answer is returned",
		script:     []answer{s503, s503, s503, s503, s503, s503},
		wantStatus: 503, wantSleeps: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}, wantSent: 5,
	}, {
		name:       "4xx are answers",
		script:     []answer{{status: 404}},
		wantStatus: 404, wantSent: 1,
	}, {
		name:       "a PUT body is replayed",
		method:     http.MethodPut,
		body:       bytes.NewReader([]byte("manifest")),
		script:     []answer{s503, {status: 429, header: map[string]string{"Retry-After": "0"}}, {status: 201}},
		wantStatus: 201, wantSleeps: []time.Duration{500 * time.Millisecond, 0}, wantSent: 3,
	}, {
		name:       "a streamed body is not",
		method:     http.MethodPatch,
		body:       io.MultiReader(strings.NewReader("layer")),
		script:     []answer{s503},
		wantStatus: 503, wantSent: 1,
	}, {
		name:       "network errors of a GET are retried",
		script:     []answer{{err: errReset}},
		wantStatus: 200, wantSleeps: []time.Duration{500 * time.Millisecond}, wantSent: 2,
	}, {
		name:    "TLS errors are not",
		script:  []answer{{err: errors.New("tls: first record does not look like a TLS handshake")}},
		wantErr: "tls: first record", wantSent: 1,
	}, {
		name:    "network errors of a POST are not",
		method:  http.MethodPost,
		script:  []answer{{err: errReset}},
		wantErr: "connection reset by peer", wantSent: 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &fakeBase{script: tt.script}
			rt := NewRetryTransport(base, RetryPolicy{})
			var sleeps []time.Duration
			rt.sleep = func(ctx context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				return ctx.Err()
			}
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req, err := http.NewRequest(method, "http://registry.test/v2/", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else {
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus || err != nil || string(body) != "answer" {
					t.Errorf("answer %d %q (%v), want %d", resp.StatusCode, body, err, tt.wantStatus)
				}
			}
			if diff := cmp.Diff(tt.wantSleeps, sleeps); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if len(base.sent) != tt.wantSent {
				t.Errorf("sent %q, want %d tries", base.sent, tt.wantSent)
			}
			if n := rt.Retries(); n != int64(len(tt.wantSleeps)) {
				t.Errorf("Retries() = %d, want %d (one per wait)", n, len(tt.wantSleeps))
			}
			for _, s := range base.sent {
				if tt.body != nil && s != base.sent[0] {
					t.Errorf("tries sent %q: the body was not replayed whole", base.sent)
				}
			}
		})
	}
}

// TestRetryTransportTime checks the bounds in time: each try's timeout,
// and a wait cut short by the request's context.
func TestRetryTransportTime(t *testing.T) {
	t.Run("each try times out", func(t *testing.T) {
		base := &fakeBase{block: true}
		rt := NewRetryTransport(base, RetryPolicy{Attempts: 3, Timeout: 20 * time.Millisecond, Backoff: time.Millisecond})
		req, _ := http.NewRequest(http.MethodGet, "http://registry.test/v2/", nil)
		start := time.Now()
		_, err := rt.RoundTrip(req)
		if !errors.Is(err, context.DeadlineExceeded) || len(base.sent) != 3 {
			t.Errorf("error %v after %d tries, want a deadline after 3", err, len(base.sent))
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("took %s", took)
		}
	})
	t.Run("a wait ends with the request's context", func(t *testing.T) {
		base := &fakeBase{script: []answer{{status: 429, header: map[string]string{"Retry-After": "30"}}}}
		rt := NewRetryTransport(base, RetryPolicy{})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://registry.test/v2/", nil)
		start := time.Now()
		_, err := rt.RoundTrip(req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("error %v after %s, want the context's deadline, soon", err, time.Since(start))
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"0":                             0,
		"7":                             7 * time.Second,
		"-3":                            0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0,
	} {
		if got, ok := parseRetryAfter(v, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "soon"} {
		if _, ok := parseRetryAfter(v, now); ok {
			t.Errorf("parseRetryAfter(%q) is a delay", v)
		}
	}
}
