package farmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// Dockerd is a Docker engine a test started for itself: Debian's
// docker.io package (20.10), with its data, exec root, pid file, key and
// socket in a temporary directory, no networking of its own (no bridge,
// no iptables), the vfs storage driver (it works in any file system,
// this machine being itself a container), and a containerd of the test's.
type Dockerd struct {
	// Host is its address, as $DOCKER_HOST takes it: unix://PATH.
	Host string
	// Pid is its process id.
	Pid int

	client *http.Client
}

// StartDockerd starts a dockerd from PATH for the test, with c as its
// containerd, and waits until it answers its API's ping. It skips unless
// BREWKIT_E2E=1, fails if dockerd is not installed, and skips, saying
// why, if it does not answer within 30s. t.Cleanup stops it by its pid,
// before c.
func StartDockerd(t testing.TB, c *Containerd) *Dockerd {
	t.Helper()
	requireDaemons(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "docker.sock")
	conf := filepath.Join(dir, "daemon.json") // not /etc/docker/daemon.json; the key not in /etc/docker
	if err := os.WriteFile(conf, fmt.Appendf(nil, `{"deprecated-key-path": %q}`, filepath.Join(dir, "key.json")), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir, "dockerd", "--config-file", conf,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"), "-H", "unix://"+sock,
		"--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
		"--containerd", c.Address)
	e := &Dockerd{Host: "unix://" + sock, Pid: d.cmd.Process.Pid, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}}
	d.waitUp(t, func(ctx context.Context) error { return e.get(ctx, "/_ping", nil) })
	return e
}

// Get decodes the engine's JSON answer to GET path (such as
// "/images/foo:1.0/json") into v, and fails the test unless the engine
// answers 200 OK.
func (e *Dockerd) Get(t testing.TB, path string, v any) {
	t.Helper()
	if err := e.get(t.Context(), path, v); err != nil {
		t.Fatal(err)
	}
}

func (e *Dockerd) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}
