package publish

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// distributionRace is what distribution 2.8 answers a manifest PUT whose
// blob link another request is rewriting at that instant.
const distributionRace = `{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},` +
	`{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:67587e8f429fe0d26b18c7dc55867cda5cfb1becb15b99632609e224bd0ff4c0"}]}`

var manifestPath = regexp.MustCompile(`^/v2/.+/manifests/[^/]+$`)

// refusingProxy is a reverse proxy in front of a registry that answers
// the first refusals PUTs of each manifest with 400 and body, and counts
// the PUTs of each.
type refusingProxy struct {
	host string

	mu   sync.Mutex
	puts map[string]int
}

func newRefusingProxy(t *testing.T, reg *testRegistry, refusals int, body string) *refusingProxy {
	t.Helper()
	target, err := url.Parse("http://" + reg.host)
	if err != nil {
		t.Fatal(err)
	}
	p := &refusingProxy{puts: map[string]int{}}
	next := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPut || !manifestPath.MatchString(req.URL.Path) {
			next.ServeHTTP(w, req)
			return
		}
		p.mu.Lock()
		n := p.puts[req.URL.Path]
		p.puts[req.URL.Path]++
		p.mu.Unlock()
		if n < refusals {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(body))
			return
		}
		next.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	p.host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// TestPublishChildUnseen publishes the library through a registry that
// refuses manifest PUTs: MANIFEST_BLOB_UNKNOWN, as distribution answers
// while another client rewrites a link, is tried again, a bounded number
// of times; another 400 is not. The cases that fail publish bar:1 alone,
// so that no other target tries its manifests again.
func TestPublishChildUnseen(t *testing.T) {
	attempts := fastRetries.withDefaults().Attempts
	tests := []struct {
		name      string
		refusals  int
		body      string
		written   bool // every target written, as a clean publish writes it
		wantPuts  int  // PUTs of each manifest; when none is written, of the first to fail
		wantError string
	}{
		{"race once", 1, distributionRace, true, 2, ""},
		{"race until the last attempt", attempts - 1, distributionRace, true, attempts, ""},
		{"a child really missing", 1000, distributionRace, false, attempts, "MANIFEST_BLOB_UNKNOWN"},
		{"an invalid manifest", 1000, `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}`, false, 1, "MANIFEST_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := newTestRegistry(t)
			jobs := library(t, reg.host)
			clean := publish(t, newPublisher(t), targets(t, jobs, Options{To: reg.host + "/clean"}))
			proxy := newRefusingProxy(t, reg, tt.refusals, tt.body)
			ts := targets(t, jobs, Options{To: proxy.host + "/lib"})
			if !tt.written {
				ts = slices.DeleteFunc(ts, func(tg Target) bool { return !strings.HasSuffix(tg.Ref, "/bar:1") })
			}
			s, err := newPublisher(t).Publish(t.Context(), ts)
			if tt.written != (err == nil) {
				t.Fatalf("Publish: %v; want an error: %v", err, !tt.written)
			}
			for i, r := range s.Results {
				if tt.written {
					if r.Action != Written || r.Digest != clean.Results[i].Digest {
						t.Errorf("%s: %s %s (%v), want written %s", r.Target.Ref, r.Action, r.Digest, r.Err, clean.Results[i].Digest)
					}
				} else if r.Action != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), tt.wantError) {
					t.Errorf("%s: %s (%v), want failed with %s", r.Target.Ref, r.Action, r.Err, tt.wantError)
				}
			}
			proxy.mu.Lock()
			defer proxy.mu.Unlock()
			most := 0
			for path, n := range proxy.puts {
				most = max(most, n)
				if tt.written && n != tt.wantPuts || n > tt.wantPuts {
					t.Errorf("PUT %s: %d times, want %d", path, n, tt.wantPuts)
				}
			}
			if most != tt.wantPuts {
				t.Errorf("PUTs of manifests: at most %d of one, want %d (%v)", most, tt.wantPuts, proxy.puts)
			}
		})
	}
}
