package farmtest

import (
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/localdaemon"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Buildkitd is a buildkitd a test started for itself, beside the farm's.
type Buildkitd struct {
	// Worker describes it: named "test-ARCH", on a unix socket in a
	// temporary directory.
	Worker workers.Worker
	// Pid is its process id.
	Pid int
	// TLSWorker describes it on its TLS listener, with [WithTLSListener]:
	// named "test-ARCH-tls", at tcp://127.0.0.1:PORT, with the CA and the
	// client certificate. Otherwise it is the zero Worker.
	TLSWorker workers.Worker

	daemon *localdaemon.Daemon
}

// StartBuildkitd starts a buildkitd of the farm's build (.farm/bin) for the
// bashbrew architecture arch, with its own root, socket and OpenTelemetry
// socket in a temporary directory, and waits until it answers. t.Cleanup
// stops it; Kill kills it earlier.
func (f Farm) StartBuildkitd(t testing.TB, arch string, opts ...BuildkitdOption) *Buildkitd {
	t.Helper()
	var o buildkitdOptions
	for _, opt := range opts {
		opt(&o)
	}
	dopts := []localdaemon.Option{
		localdaemon.WithArch(arch), localdaemon.WithStateDir(t.TempDir()), localdaemon.WithStartTimeout(30 * time.Second),
	}
	var tlsWorker workers.Worker
	if o.tls != nil {
		var l localdaemon.TLSListener
		l, tlsWorker = o.tlsListener(t, arch)
		dopts = append(dopts, localdaemon.WithTLSListener(l))
	}
	d, err := localdaemon.Start(t.Context(), f.Bin("buildkitd"), dopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Error(err)
		}
	})
	w := d.Worker
	w.Name = "test-" + arch
	return &Buildkitd{Worker: w, Pid: d.Pid, TLSWorker: tlsWorker, daemon: d}
}

// Kill kills d by its pid with SIGKILL and waits for it to exit, leaving its
// socket file behind, as a crashed daemon does. It is idempotent.
func (d *Buildkitd) Kill(t testing.TB) {
	t.Helper()
	if err := d.daemon.Kill(); err != nil {
		t.Error(err)
	}
}
