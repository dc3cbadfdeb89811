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

// DefaultDockerSocket is where a Docker engine listens when $DOCKER_HOST
// is unset.
const DefaultDockerSocket = "/var/run/docker.sock"

// pingTimeout bounds each store's first answer in Find.
const pingTimeout = 5 * time.Second

// Docker loads images into a Docker engine through its API
// (POST /images/load) on a unix socket.
type Docker struct {
	socket string
	client *http.Client
}

// FindDocker returns the Docker engine that $DOCKER_HOST names (a
// unix:// address) or, when it is unset, the one on
// [DefaultDockerSocket], if it answers its API's ping. Its error names
// the socket tried.
func FindDocker(ctx context.Context, getenv func(string) string) (*Docker, error) {
	socket := DefaultDockerSocket
	if h := getenv("DOCKER_HOST"); h != "" {
		path, ok := strings.CutPrefix(h, "unix://")
		if !ok {
			return nil, fmt.Errorf("$DOCKER_HOST=%s is not a unix:// socket, the only kind brewkit talks to", h)
		}
		socket = path
	}
	d := &Docker{socket: socket, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}}
	if err := d.ping(ctx); err != nil {
		return nil, fmt.Errorf("tried the Docker engine API at unix://%s: %w", socket, err)
	}
	return d, nil
}

// String names the engine: "the Docker engine at unix:///var/run/docker.sock".
func (d *Docker) String() string { return "the Docker engine at unix://" + d.socket }

func (d *Docker) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /_ping: %s", resp.Status)
	}
	return nil
}

// Load implements [Loader]: an image load (POST /images/load) whose body
// is the tarball.
func (d *Docker) Load(ctx context.Context) (io.WriteCloser, error) {
	return startPipe(ctx, "docker image load", func(r io.Reader) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker/images/load?quiet=1", io.NopCloser(r))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-tar") // r is not closed: startPipe reads what the engine left
		resp, err := d.client.Do(req)
		if err != nil {
			return err
		}
		return answer(resp)
	}), nil
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
