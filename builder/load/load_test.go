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
	"time"
)

// TestFindNoEngine is the machine as it usually is: neither a Docker
// engine nor containerd answers, and the error names every place tried.
func TestFindNoEngine(t *testing.T) {
	for _, p := range []string{DefaultDockerSocket, DefaultContainerdSocket} {
		if _, err := os.Stat(p); err == nil {
			t.Skip(p + " exists here")
		}
	}
	missing := filepath.Join(t.TempDir(), "missing.sock")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"defaults", nil, []string{
			"tried the Docker engine API at unix://" + DefaultDockerSocket + ": ",
			"tried containerd at " + DefaultContainerdSocket + ": ",
		}},
		{"set", map[string]string{"DOCKER_HOST": "unix://" + missing, "CONTAINERD_ADDRESS": missing}, []string{
			"tried the Docker engine API at unix://" + missing + ": ",
			"tried containerd at " + missing + ": ",
		}},
		{"tcp", map[string]string{"DOCKER_HOST": "tcp://127.0.0.1:2375"}, []string{
			"$DOCKER_HOST=tcp://127.0.0.1:2375 is not a unix:// socket",
			"tried containerd at " + DefaultContainerdSocket + ": ",
		}},
		{"bad namespace", map[string]string{"CONTAINERD_NAMESPACE": "a/b"}, []string{
			"tried the Docker engine API at unix://" + DefaultDockerSocket + ": ",
			"$CONTAINERD_NAMESPACE=a/b: ",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Find(t.Context(), func(k string) string { return tc.env[k] })
			if !errors.Is(err, ErrNoEngine) {
				t.Fatalf("%v, want ErrNoEngine", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v\ndoes not say %q", err, w)
				}
			}
			if d := time.Since(start); d > pingTimeout {
				t.Errorf("took %s to find nothing", d)
			}
		})
	}
}

// fakeEngine serves the two endpoints of the Docker engine API Docker
// uses on a unix socket; load answers a load, given the request. It is
// for the answers and failures a real engine does not easily give (the
// loads themselves are tested against a real dockerd, in
// docker_e2e_test.go).
func fakeEngine(t *testing.T, load http.HandlerFunc) *Docker {
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_ping", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "OK") })
	mux.Handle("POST /images/load", load)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	d, err := FindDocker(t.Context(), func(k string) string { return map[string]string{"DOCKER_HOST": "unix://" + sock}[k] })
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDockerAnswers covers reading the engine's answer to a load: an
// error may come as a status, or in any message of the JSON stream
// after progress messages, with or without its detail.
func TestDockerAnswers(t *testing.T) {
	readAll := func(w http.ResponseWriter, r *http.Request) bool { _, err := io.ReadAll(r.Body); return err == nil }
	for _, tc := range []struct {
		name   string
		answer string // after the body is read
		status int
		want   string // in Close's error; "" for none
	}{
		{"progress then loaded", `{"stream":"Loaded image: foo:1\n"}` + "\n", 200, ""},
		{"nothing", "", 200, ""},
		{"error and detail", `{"stream":"x"}` + "\n" + `{"errorDetail":{"message":"detail"},"error":"short"}` + "\n", 200, "docker image load: short"},
		{"detail only", `{"errorDetail":{"message":"detail"}}` + "\n", 200, "docker image load: detail"},
		{"status", `{"message":"no space left"}`, 500, `docker image load: 500 Internal Server Error: {"message":"no space left"}`},
		{"garbled", `{"stream":`, 200, "docker image load: reading the engine's answer: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fakeEngine(t, func(w http.ResponseWriter, r *http.Request) {
				if readAll(w, r) {
					w.WriteHeader(tc.status)
					io.WriteString(w, tc.answer)
				}
			})
			w, err := d.Load(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(w, "tarball"); err != nil {
				t.Fatal(err)
			}
			err = w.Close()
			if got := ""; err != nil {
				got = err.Error()
				if got != tc.want {
					t.Errorf("Close: %q, want %q", got, tc.want)
				}
			} else if tc.want != "" {
				t.Errorf("Close: nil, want %q", tc.want)
			}
		})
	}
}

// TestDockerGivesUp: an engine that answers before reading the whole
// tarball, or hangs up, stops the writer at once instead of leaving the
// exporter blocked on a pipe nobody reads.
func TestDockerGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		load http.HandlerFunc
		want string
	}{
		{"refuses early", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "not a tarball")
		}, "400 Bad Request: not a tarball"},
		{"hangs up", func(w http.ResponseWriter, r *http.Request) {
			io.CopyN(io.Discard, r.Body, 1)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, "docker image load: "}, // EOF, or a broken pipe
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fakeEngine(t, tc.load)
			w, err := d.Load(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			chunk := make([]byte, 64<<10)
			var werr error
			for i := 0; i < 1<<14 && werr == nil; i++ { // 1 GiB at most
				_, werr = w.Write(chunk)
			}
			if werr == nil {
				t.Fatal("1 GiB written to an engine that stopped reading")
			}
			if err := w.Close(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Close: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
