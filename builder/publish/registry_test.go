package publish

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	inproc "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"

	"github.com/brewkit/brewkit/builder/publish/registrylog"
)

// The registries of the tests: go-containerregistry's in-process registry,
// with blobs kept per repository (so that copying them is observable) and
// cross-repository mounts, which it lacks, done as distribution does
// them; every request logged.

// testRegistry is an in-process registry on a loopback httptest server.
type testRegistry struct {
	host  string // "127.0.0.1:PORT"
	blobs *repoBlobs
	log   *registrylog.Log

	mu   sync.Mutex
	deny func(*http.Request) bool // requests answered 500, for failure injection
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	r := &testRegistry{blobs: &repoBlobs{m: map[string][]byte{}}, log: &registrylog.Log{}}
	quiet := inproc.Logger(log.New(io.Discard, "", 0))
	next := mount(r.blobs, inproc.New(quiet, inproc.WithBlobHandler(r.blobs)))
	h := r.log.Wrap(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		deny := r.deny
		r.mu.Unlock()
		if deny != nil && deny(req) {
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected"}]}`, http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, req)
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}

// repoBlobs is a registry.BlobHandler that keeps blobs per repository.
type repoBlobs struct {
	mu sync.Mutex
	m  map[string][]byte // "repo@digest" -> content
}

// key is "repo@digest". The in-process registry names the repository of
// an upload "REPO/blobs".
func key(repo string, h v1.Hash) string { return strings.TrimSuffix(repo, "/blobs") + "@" + h.String() }

func (b *repoBlobs) Get(_ context.Context, repo string, h v1.Hash) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key(repo, h)]
	if !ok {
		return nil, inproc.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (b *repoBlobs) Stat(_ context.Context, repo string, h v1.Hash) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key(repo, h)]
	if !ok {
		return 0, inproc.ErrNotFound
	}
	return int64(len(data)), nil
}

func (b *repoBlobs) Put(_ context.Context, repo string, h v1.Hash, rc io.ReadCloser) error {
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key(repo, h)] = data
	return nil
}

// mountBlob links blob d of repository from into repo, if from has it.
func (b *repoBlobs) mountBlob(repo, from, d string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[from+"@"+d]
	if ok {
		b.m[repo+"@"+d] = data
	}
	return ok
}

var uploadsPath = regexp.MustCompile(`^/v2/(.+)/blobs/uploads/?$`)

// mount answers POST /v2/REPO/blobs/uploads/?mount=D&from=SRC with 201
// when SRC has D, as distribution does; everything else goes to next.
func mount(b *repoBlobs, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		m := uploadsPath.FindStringSubmatch(req.URL.Path)
		q := req.URL.Query()
		if req.Method == http.MethodPost && m != nil && q.Get("mount") != "" && q.Get("from") != "" &&
			b.mountBlob(m[1], q.Get("from"), q.Get("mount")) {
			w.Header().Set("Location", "/v2/"+m[1]+"/blobs/"+q.Get("mount"))
			w.Header().Set("Docker-Content-Digest", q.Get("mount"))
			w.WriteHeader(http.StatusCreated)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// checkChildrenFirst fails t for every index written before the manifests
// it lists were in its repository.
func checkChildrenFirst(t *testing.T, reqs []registrylog.Request) {
	t.Helper()
	for _, p := range registrylog.ChildrenFirst(reqs) {
		t.Error(p)
	}
}

// digestOf is the digest of raw.
func digestOf(raw []byte) string { return digest.FromBytes(raw).String() }
