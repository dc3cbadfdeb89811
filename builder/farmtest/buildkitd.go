package farmtest

import (
	"os"
	"sync/atomic"
	"syscall"
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
	killed atomic.Bool // Kill was called
}

// StartBuildkitd starts a buildkitd of the farm's build (.farm/bin) for the
// bashbrew architecture arch, with its own root, socket and OpenTelemetry
// socket in a temporary directory, and waits until it answers. t.Cleanup
// stops it and removes its directory; Kill kills it earlier, even in the
// middle of a build.
func (f Farm) StartBuildkitd(t testing.TB, arch string, opts ...BuildkitdOption) *Buildkitd {
	t.Helper()
	var o buildkitdOptions
	for _, opt := range opts {
		opt(&o)
	}
	// Not t.TempDir: a killed buildkitd leaves the overlays of the
	// containers it ran mounted there, which RemoveState detaches first.
	state, err := os.MkdirTemp("", "brewkit-test-buildkitd-")
	if err != nil {
		t.Fatal(err)
	}
	dopts := []localdaemon.Option{
		localdaemon.WithArch(arch), localdaemon.WithStateDir(state), localdaemon.WithStartTimeout(30 * time.Second),
	}
	var tlsWorker workers.Worker
	if o.tls != nil {
		var l localdaemon.TLSListener
		l, tlsWorker = o.tlsListener(t, arch)
		dopts = append(dopts, localdaemon.WithTLSListener(l))
	}
	d, err := localdaemon.Start(t.Context(), f.Bin("buildkitd"), dopts...)
	if err != nil {
		os.RemoveAll(state)
		t.Fatal(err)
	}
	w := d.Worker
	w.Name = "test-" + arch
	b := &Buildkitd{Worker: w, Pid: d.Pid, TLSWorker: tlsWorker, daemon: d}
	t.Cleanup(func() {
		if b.killed.Load() {
			RemoveState(t, state) // before Stop, which would fail on the mounts
		}
		if err := d.Stop(); err != nil {
			t.Error(err)
		}
		RemoveState(t, state)
	})
	return b
}

// killTimeout bounds how long Kill waits for the processes a killed
// buildkitd ran to go.
const killTimeout = 10 * time.Second

// Kill kills d by its pid with SIGKILL and waits for it to exit, leaving its
// socket file and mounts behind, as a crashed daemon does. The processes it
// ran (runc, and the RUN steps of the builds it was solving), which would
// otherwise run to their end, are killed next by their pids, as the death
// of its machine would end them, and waited for. Kill is idempotent.
func (d *Buildkitd) Kill(t testing.TB) {
	t.Helper()
	d.killed.Store(true)
	ran, err := descendants(d.Pid)
	if err != nil {
		t.Error(err)
	}
	if err := d.daemon.Kill(); err != nil {
		t.Error(err)
	}
	for _, p := range ran {
		if alive(p) {
			syscall.Kill(p.Pid, syscall.SIGKILL)
		}
	}
	deadline := time.Now().Add(killTimeout)
	for _, p := range ran {
		for alive(p) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(p) {
			t.Errorf("%s (pid %d), run by the killed buildkitd %d, is still there %s after SIGKILL", p.Comm, p.Pid, d.Pid, killTimeout)
		}
	}
}
