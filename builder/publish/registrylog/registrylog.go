// Package registrylog records the requests a registry answers, for tests of
// what is written to it: which requests changed something, and whether an
// index was ever written before the manifests it lists.
//
//	var log registrylog.Log
//	srv := httptest.NewServer(log.Wrap(registry.New()))
//	… publish …
//	reqs := log.Snapshot()
//	if w := registrylog.Writes(reqs); len(w) > 0 { … }
//	for _, p := range registrylog.ChildrenFirst(reqs) { t.Error(p) }
package registrylog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Request is a request as it completed.
type Request struct {
	Method, Path string
	Query        url.Values
	Status       int
	Body         []byte // of a manifest PUT
}

func (r Request) String() string {
	return fmt.Sprintf("%s %s?%s %d", r.Method, r.Path, r.Query.Encode(), r.Status)
}

// Log records requests in the order their answers were sent. The zero
// value is ready to use.
type Log struct {
	mu   sync.Mutex
	reqs []Request
}

// Wrap returns next, recording every request it answers.
func (l *Log) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body []byte
		if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/manifests/") {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, req)
		l.mu.Lock()
		l.reqs = append(l.reqs, Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Status: rec.status, Body: body})
		l.mu.Unlock()
	})
}

// Snapshot returns the requests so far, and forgets them.
func (l *Log) Snapshot() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Writes are the requests of reqs that change something.
func Writes(reqs []Request) []string {
	var out []string
	for _, r := range reqs {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.String())
		}
	}
	return out
}

var manifestPath = regexp.MustCompile(`^/v2/(.+)/manifests/([^/]+)$`)

// ChildrenFirst returns a problem for every index written (a manifest PUT
// by tag that succeeded) before every manifest it lists was found (HEAD
// 200) or written (PUT 201) in its repository.
func ChildrenFirst(reqs []Request) []string {
	var problems []string
	present := map[string]bool{} // "repo@digest"
	for _, r := range reqs {
		m := manifestPath.FindStringSubmatch(r.Path)
		if m == nil {
			continue
		}
		repo, ref := m[1], m[2]
		byDigest := strings.HasPrefix(ref, "sha256:")
		switch {
		case byDigest && (r.Method == http.MethodHead && r.Status == http.StatusOK || r.Method == http.MethodPut && r.Status == http.StatusCreated):
			present[repo+"@"+ref] = true
		case r.Method == http.MethodPut && r.Status == http.StatusCreated:
			var idx struct {
				Manifests []struct {
					Digest string `json:"digest"`
				} `json:"manifests"`
			}
			if err := json.Unmarshal(r.Body, &idx); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", r, err))
				continue
			}
			for _, d := range idx.Manifests {
				if !present[repo+"@"+d.Digest] {
					problems = append(problems, fmt.Sprintf("%s:%s was written before %s was in %s", repo, ref, d.Digest, repo))
				}
			}
		}
	}
	return problems
}
