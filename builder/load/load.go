// Package load puts images a build made into a local image store: the
// Docker engine's, through its API on a unix socket (plain net/http, no
// docker CLI), fed BuildKit's docker exporter's tarball as it is written.
//
//	l, err := load.Find(ctx, os.Getenv)
//	if errors.Is(err, load.ErrNoEngine) { ... } // err names every place tried
//	w, err := l.Load(ctx) // the exporter writes the docker-archive tarball to w
//	...
//	err = w.Close()       // waits for the engine's answer
package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// ErrNoEngine is returned by [Find] when no image store answers; the
// error wrapping it names each place tried and its answer.
var ErrNoEngine = errors.New("no Docker engine answers to load images into")

// DefaultDockerSocket is where a Docker engine listens when $DOCKER_HOST
// is unset.
const DefaultDockerSocket = "/var/run/docker.sock"

// Loader loads docker-archive tarballs into one engine.
type Loader struct {
	socket string
	client *http.Client
}

// Find returns a Loader for the Docker engine that $DOCKER_HOST names (a
// unix:// address) or, when it is unset, the one on
// [DefaultDockerSocket], if it answers its API's ping. getenv supplies
// the environment; nil means none is set.
func Find(ctx context.Context, getenv func(string) string) (*Loader, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	socket := DefaultDockerSocket
	if h := getenv("DOCKER_HOST"); h != "" {
		path, ok := strings.CutPrefix(h, "unix://")
		if !ok {
			return nil, fmt.Errorf("%w: $DOCKER_HOST=%s is not a unix:// socket, the only kind brewkit talks to", ErrNoEngine, h)
		}
		socket = path
	}
	l := &Loader{socket: socket, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}}
	if err := l.ping(ctx); err != nil {
		return nil, fmt.Errorf("%w: tried the Docker engine API at unix://%s: %w", ErrNoEngine, socket, err)
	}
	return l, nil
}

// String names the engine: "Docker engine at unix:///var/run/docker.sock".
func (l *Loader) String() string { return "Docker engine at unix://" + l.socket }

func (l *Loader) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_ping: %s", resp.Status)
	}
	return nil
}

// Load starts an image load (POST /images/load) and returns the writer
// its tarball goes to. Close ends the tarball and waits for the engine:
// its error is the engine's refusal, if any. Cancelling ctx abandons the
// load.
func (l *Loader) Load(ctx context.Context) (io.WriteCloser, error) {
	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker/images/load?quiet=1", pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	w := &loadWriter{pw: pw, done: make(chan error, 1)}
	go func() {
		resp, err := l.client.Do(req)
		if err == nil {
			err = answer(resp)
		}
		pr.CloseWithError(err) // the writer stops at once if the engine gave up
		w.done <- err
	}()
	return w, nil
}

type loadWriter struct {
	pw   *io.PipeWriter
	done chan error
}

func (w *loadWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *loadWriter) Close() error {
	w.pw.Close()
	if err := <-w.done; err != nil {
		return fmt.Errorf("docker image load: %w", err)
	}
	return nil
}

// answer reads the engine's reply to a load: a status, then a stream of
// JSON messages, any of which may carry an error.
func answer(resp *http.Response) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the engine's answer: %w", err)
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if m.ErrorDetail.Message != "" {
			return errors.New(m.ErrorDetail.Message)
		}
	}
}
