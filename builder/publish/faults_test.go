package publish

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/publish/registrylog"
)

// faultyProxy is an httptest reverse proxy in front of a registry that
// answers every distinct request (method and path, upload ids aside)
// with 503 the first time and 429 Retry-After: 1 the second, and passes
// it on from the third. It logs what it answered.
type faultyProxy struct {
	host string
	log  *registrylog.Log

	mu   sync.Mutex
	seen map[string]int
}

var uploadID = regexp.MustCompile(`/blobs/uploads/.*$`)

func newFaultyProxy(t *testing.T, reg *testRegistry) *faultyProxy {
	t.Helper()
	target, err := url.Parse("http://" + reg.host)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultyProxy{log: &registrylog.Log{}, seen: map[string]int{}}
	next := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(p.log.Wrap(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		key := req.Method + " " + uploadID.ReplaceAllString(req.URL.Path, "/blobs/uploads/")
		p.mu.Lock()
		n := p.seen[key]
		p.seen[key]++
		p.mu.Unlock()
		switch n {
		case 0:
			http.Error(w, `{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}`, http.StatusServiceUnavailable)
		case 1:
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}`, http.StatusTooManyRequests)
		default:
			next.ServeHTTP(w, req)
		}
	})))
	t.Cleanup(srv.Close)
	p.host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// TestPublishFailureInjection publishes the library once directly and
// once through a proxy that fails every request twice (503, then 429):
// the indexes are the same, and no index was ever written before its
// manifests were in its repository.
func TestPublishFailureInjection(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	clean := publish(t, newPublisher(t), targets(t, jobs, Options{To: reg.host + "/clean"}))

	proxy := newFaultyProxy(t, reg)
	for i := range jobs {
		jobs[i].ref = strings.Replace(jobs[i].ref, reg.host, proxy.host, 1) // staging through the proxy too
	}
	faulty := publish(t, newPublisher(t), targets(t, jobs, Options{To: proxy.host + "/faulty"}))

	type outcome struct{ Action, Tag, Digest string }
	results := func(s *Summary, prefix string) []outcome {
		var out []outcome
		for _, r := range s.Results {
			out = append(out, outcome{r.Action.String(), strings.TrimPrefix(r.Target.Ref, prefix), r.Digest})
		}
		return out
	}
	if diff := cmp.Diff(results(clean, reg.host+"/clean"), results(faulty, proxy.host+"/faulty")); diff != "" {
		t.Errorf("through failures (-clean +faulty):\n%s", diff)
	}
	for _, r := range faulty.Results {
		tag := strings.TrimPrefix(r.Target.Ref, proxy.host+"/faulty")
		_, cleanIdx, cleanRaw := readIndex(t, reg.host+"/clean"+tag)
		_, _, faultyRaw := readIndex(t, reg.host+"/faulty"+tag)
		if string(cleanRaw) != string(faultyRaw) {
			t.Errorf("%s: the faulty run wrote\n%s\nthe clean one\n%s", tag, faultyRaw, cleanRaw)
		}
		describeIndex(t, reg.host+"/faulty"+tag, cleanIdx)
	}

	reqs := proxy.log.Snapshot()
	checkChildrenFirst(t, reqs)
	injected := map[int]int{}
	for _, r := range reqs {
		injected[r.Status]++
	}
	if injected[http.StatusServiceUnavailable] == 0 || injected[http.StatusTooManyRequests] != injected[http.StatusServiceUnavailable] {
		t.Errorf("answers by status: %v; want as many 429 as 503", injected)
	}
	if max := injected[http.StatusServiceUnavailable] + injected[http.StatusTooManyRequests]; clean.Retries != 0 || faulty.Retries == 0 || faulty.Retries > max {
		t.Errorf("Summary.Retries %d without faults and %d through them; want 0, then 1 to %d (one per fault at most)", clean.Retries, faulty.Retries, max)
	}
	t.Logf("%d requests through the proxy; answers by status: %v; %d retried", len(reqs), injected, faulty.Retries)
}
