package farmtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/containerd/v2/client"
)

// Containerd is a containerd a test started for itself: Debian's
// containerd package (1.6), with its root, state and sockets in a
// temporary directory and no CRI plugin.
type Containerd struct {
	// Address is its socket's path, as $CONTAINERD_ADDRESS takes it.
	Address string
	// Pid is its process id.
	Pid int
}

// containerdConfig is the test's containerd config: everything under
// dir, and none of the plugins a load does not need that would log
// warnings or slow the start (the CRI, the snapshotters for other file
// systems); the opt plugin would otherwise install into /opt/containerd.
const containerdConfig = `# written by brewkit's farmtest
version = 2
root = %[1]q
state = %[2]q
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = %[3]q

[ttrpc]
  address = %[4]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[5]q
`

// StartContainerd starts a containerd from PATH for the test and waits
// until it answers. It skips unless BREWKIT_E2E=1, fails if containerd
// is not installed, and skips, saying why, if it does not answer within
// 30s. t.Cleanup stops it by its pid.
func StartContainerd(t testing.TB) *Containerd {
	t.Helper()
	requireDaemons(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "containerd.sock")
	conf := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf(containerdConfig, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc", filepath.Join(dir, "opt"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir, "containerd", "--config", conf)
	c := &Containerd{Address: sock, Pid: d.cmd.Process.Pid}
	d.waitUp(t, func(ctx context.Context) error {
		if _, err := os.Stat(sock); err != nil {
			return err
		}
		cl, err := client.New(sock)
		if err != nil {
			return err
		}
		defer cl.Close()
		_, err = cl.Version(ctx)
		return err
	})
	return c
}

// Client returns a client of c whose calls go to namespace ns; t.Cleanup
// closes it.
func (c *Containerd) Client(t testing.TB, ns string) *client.Client {
	t.Helper()
	cl, err := client.New(c.Address, client.WithDefaultNamespace(ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}
