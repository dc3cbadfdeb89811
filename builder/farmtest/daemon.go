package farmtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// daemonStartTimeout is how long a daemon a test starts (containerd,
// dockerd) has to answer before the test is skipped.
const daemonStartTimeout = 30 * time.Second

// daemonStopTimeout is how long a daemon has to exit after SIGTERM
// before it is killed.
const daemonStopTimeout = 15 * time.Second

// daemon is a process started for one test, stopped by its pid in
// t.Cleanup.
type daemon struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed once cmd.Wait returned
}

// requireDaemons skips unless BREWKIT_E2E=1: the daemons a test starts
// for itself are for end-to-end tests.
func requireDaemons(t testing.TB) {
	t.Helper()
	if os.Getenv("BREWKIT_E2E") != "1" {
		t.Skip("end-to-end test: set BREWKIT_E2E=1")
	}
}

// startDaemon starts the program name from PATH with args, its output in
// dir/name.log, in its own process group and sent SIGTERM should the test
// binary die. It fails the test if name is not installed (hack/farm up
// installs it). t.Cleanup stops it: SIGTERM, then SIGKILL after
// daemonStopTimeout, which fails the test. Call t.TempDir for dir before
// startDaemon, so that the daemon is stopped before dir is removed.
func startDaemon(t testing.TB, dir, name string, args ...string) *daemon {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%v: hack/farm up installs it (its PACKAGES)", err)
	}
	d := &daemon{name: name, log: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	log, err := os.Create(d.log)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close() // the child has its own descriptor
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stdout, d.cmd.Stderr = log, log
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() { d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { d.stop(t) })
	return d
}

func (d *daemon) stop(t testing.TB) {
	select {
	case <-d.exited:
		return
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("stopping %s (pid %d): %v", d.name, d.cmd.Process.Pid, err)
	}
	select {
	case <-d.exited:
		return
	case <-time.After(daemonStopTimeout):
	}
	d.cmd.Process.Kill()
	<-d.exited
	t.Errorf("%s (pid %d) ignored SIGTERM for %s and was killed:\n%s", d.name, d.cmd.Process.Pid, daemonStopTimeout, tail(d.log, 20))
}

// waitUp waits until probe succeeds. It skips the test, saying why and
// with the end of the daemon's log, if the daemon exits first or does
// not answer within daemonStartTimeout: a daemon that cannot run in this
// machine (a container, say) is not a failure of the code under test.
func (d *daemon) waitUp(t testing.TB, probe func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(daemonStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		err := probe(ctx)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-d.exited:
			t.Skipf("%s exited as it started (%v): %s", d.name, d.cmd.ProcessState, tail(d.log, 20))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Skipf("%s did not answer in %s (%v): %s", d.name, daemonStartTimeout, err, tail(d.log, 20))
		}
	}
}
