package farmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Buildkitd is a buildkitd a test started for itself, beside the farm's.
type Buildkitd struct {
	// Worker describes it: named "test-ARCH", on a unix socket in a
	// temporary directory.
	Worker workers.Worker
	// Pid is its process id.
	Pid int
	// Log is the path of its log.
	Log string

	cmd      *exec.Cmd
	exited   chan struct{}
	killOnce sync.Once
}

// StartBuildkitd starts a buildkitd of the farm's build (.farm/bin) for the
// bashbrew architecture arch, with its own root, socket and OpenTelemetry
// socket in temporary directories, and waits until it answers. t.Cleanup
// kills it; Kill does so earlier.
func (f Farm) StartBuildkitd(t testing.TB, arch string) *Buildkitd {
	t.Helper()
	p, err := platforms.OCI(arch)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "buildkitd.sock")
	config := filepath.Join(dir, "buildkitd.toml")
	// Every buildkitd needs its own OpenTelemetry socket, or the second one
	// dies on /run/buildkit/otel-grpc.sock: address already in use.
	toml := fmt.Sprintf("[otel]\n  socketPath = %q\n", filepath.Join(dir, "otel-grpc.sock"))
	if err := os.WriteFile(config, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	d := &Buildkitd{
		Worker: workers.Worker{Name: "test-" + arch, Address: "unix://" + sock, Arches: []string{arch}},
		Log:    filepath.Join(dir, "buildkitd.log"),
		exited: make(chan struct{}),
	}
	log, err := os.Create(d.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	d.cmd = exec.Command(f.Bin("buildkitd"), "--config", config, "--root", filepath.Join(dir, "root"),
		"--addr", d.Worker.Address, "--oci-worker-platform", platforms.Format(p), "--containerd-worker=false")
	d.cmd.Stdout, d.cmd.Stderr = log, log
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting buildkitd: %v", err)
	}
	d.Pid = d.cmd.Process.Pid
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { d.Kill(t) })
	d.waitUp(t)
	return d
}

// waitUp waits up to 30 s for d to answer.
func (d *Buildkitd) waitUp(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := builder.Probe(t.Context(), d.Worker, builder.WithProbeTimeout(time.Second))
		if s.Up {
			return
		}
		select {
		case <-d.exited:
			t.Fatalf("buildkitd (pid %d) exited: %v\n%s", d.Pid, s.Err, tail(d.Log, 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("buildkitd (pid %d) did not answer within 30 s: %v\n%s", d.Pid, s.Err, tail(d.Log, 20))
		}
	}
}

// Kill kills d by its pid with SIGKILL and waits for it to exit, leaving its
// socket file behind, as a crashed daemon does. It is idempotent.
func (d *Buildkitd) Kill(t testing.TB) {
	t.Helper()
	d.killOnce.Do(func() {
		if err := d.cmd.Process.Kill(); err != nil {
			select {
			case <-d.exited: // already gone
			default:
				t.Errorf("killing buildkitd (pid %d): %v", d.Pid, err)
			}
		}
		<-d.exited
	})
}
