package registrytest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// NewHandler returns an empty in-memory registry (go-containerregistry's
// pkg/registry) that logs nothing.
func NewHandler() http.Handler {
	return registry.New(registry.Logger(log.New(io.Discard, "", 0)))
}

// Serve serves [NewHandler] on a loopback port over plain HTTP until the
// test ends and returns its host, "127.0.0.1:PORT".
func Serve(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(NewHandler())
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
