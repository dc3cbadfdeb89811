package load

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFindNoEngine is the machine as it is: no Docker engine answers.
func TestFindNoEngine(t *testing.T) {
	if _, err := os.Stat(DefaultDockerSocket); err == nil {
		t.Skip(DefaultDockerSocket + " exists here")
	}
	missing := filepath.Join(t.TempDir(), "docker.sock")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "tried the Docker engine API at unix://" + DefaultDockerSocket + ": "},
		{map[string]string{"DOCKER_HOST": "unix://" + missing}, "tried the Docker engine API at unix://" + missing + ": "},
		{map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2375"}, "$DOCKER_HOST=tcp://127.0.0.1:2375 is not a unix:// socket"},
	} {
		_, err := Find(t.Context(), func(k string) string { return tc.env[k] })
		if !errors.Is(err, ErrNoEngine) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want ErrNoEngine saying %q", tc.env, err, tc.want)
		}
	}
}

// fakeEngine serves the two endpoints of the Docker engine API Loader
// uses on a unix socket; load answers a load, given the tarball.
func fakeEngine(t *testing.T, load func(w http.ResponseWriter, tarball []byte)) string {
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_ping", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "OK") })
	mux.HandleFunc("POST /images/load", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		load(w, body)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sock
}

func TestLoad(t *testing.T) {
	var got []byte
	sock := fakeEngine(t, func(w http.ResponseWriter, tarball []byte) {
		got = tarball
		io.WriteString(w, `{"stream":"Loaded image: foo:1\n"}`+"\n")
	})
	l, err := Find(t.Context(), func(k string) string { return map[string]string{"DOCKER_HOST": "unix://" + sock}[k] })
	if err != nil {
		t.Fatal(err)
	}
	w, err := l.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "tarball"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if string(got) != "tarball" {
		t.Errorf("the engine got %q", got)
	}
}

func TestLoadRefused(t *testing.T) {
	sock := fakeEngine(t, func(w http.ResponseWriter, _ []byte) {
		io.WriteString(w, `{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}`+"\n")
	})
	l, err := Find(t.Context(), func(k string) string { return map[string]string{"DOCKER_HOST": "unix://" + sock}[k] })
	if err != nil {
		t.Fatal(err)
	}
	w, err := l.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "x")
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("Close: %v, want the engine's error", err)
	}
}
