package localdaemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// start runs bin as a daemon of its own and waits until it answers.
func (o options) start(ctx context.Context, bin string) (*Daemon, error) {
	dir, err := runDir(o.stateDir)
	if err != nil {
		return nil, err
	}
	root := o.root
	if root == "" || rootInUse(root) {
		root = filepath.Join(dir, "root")
	}
	w, err := o.worker("unix://" + filepath.Join(dir, "buildkitd.sock"))
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	p, err := launch(bin, dir, root, w.Arches[0], w.Address, o.tlsListener)
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	d := &Daemon{Worker: w, Origin: Started, Pid: p.cmd.Process.Pid, Root: root, proc: p}
	s, err := p.waitUp(ctx, w, o.startTimeout)
	if err != nil {
		return nil, errors.Join(err, d.Stop())
	}
	d.Platforms = s.Platforms
	return d, nil
}

// runDir makes a fresh directory for one daemon under stateDir, which is
// created private to the user and must belong to them.
func runDir(stateDir string) (string, error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	fi, err := os.Lstat(stateDir)
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !fi.IsDir() || (ok && int(st.Uid) != os.Getuid()) {
		return "", fmt.Errorf("state directory %s: not a directory of user %d", stateDir, os.Getuid())
	}
	dir, err := os.MkdirTemp(stateDir, "buildkitd-")
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return dir, nil
}

// rootInUse reports whether a running buildkitd holds root: buildkitd
// takes an exclusive flock of root/buildkitd.lock for its lifetime.
func rootInUse(root string) bool {
	f, err := os.Open(filepath.Join(root, "buildkitd.lock"))
	if err != nil {
		return false // no lock file: never used, or not by a daemon
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // closing the file releases it anyway
	return false
}

// config is a started daemon's buildkitd.toml. Every buildkitd needs its
// own OpenTelemetry socket, or the second one on a machine dies on
// /run/buildkit/otel-grpc.sock: address already in use.
func config(dir string) string {
	return fmt.Sprintf("# written by brewkit\n[otel]\n  socketPath = %q\n", filepath.Join(dir, "otel-grpc.sock"))
}

// launch starts bin in dir for the bashbrew architecture arch, listening
// on addr, and on tl if it is set.
func launch(bin, dir, root, arch, addr string, tl *TLSListener) (*process, error) {
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(conf, []byte(config(dir)), 0o600); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "buildkitd.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own descriptor
	args := []string{"--config", conf, "--root", root, "--addr", addr,
		"--oci-worker-platform", platforms.Format(p), "--containerd-worker=false"}
	if tl != nil {
		args = append(args, "--addr", "tcp://"+tl.Addr,
			"--tlscacert", tl.CAFile, "--tlscert", tl.CertFile, "--tlskey", tl.KeyFile)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	proc := &process{cmd: cmd, dir: dir, log: logPath, exited: make(chan struct{})}
	go func() { proc.waitErr = cmd.Wait(); close(proc.exited) }()
	return proc, nil
}

// tail returns the last n lines of the file at path, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// pollInterval is how often waitUp probes a starting daemon.
const pollInterval = 100 * time.Millisecond

// waitUp waits until the daemon answers as w and returns what it said; it
// fails if the daemon exits first, and gives up after timeout or when ctx
// is done.
func (p *process) waitUp(ctx context.Context, w workers.Worker, timeout time.Duration) (builder.WorkerStatus, error) {
	deadline := time.Now().Add(timeout)
	for {
		s := builder.Probe(ctx, w, builder.WithProbeTimeout(time.Second))
		if s.Up {
			return s, nil
		}
		select {
		case <-p.exited:
			return s, fmt.Errorf("buildkitd (pid %d) exited before answering (%v); the end of its log:\n%s",
				p.cmd.Process.Pid, p.waitErr, tail(p.log, 20))
		case <-ctx.Done():
			return s, fmt.Errorf("waiting for buildkitd (pid %d) to answer: %w", p.cmd.Process.Pid, context.Cause(ctx))
		case <-time.After(pollInterval):
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("buildkitd (pid %d) did not answer at %s within %s: %v; the end of its log:\n%s",
				p.cmd.Process.Pid, w.Address, timeout, s.Err, tail(p.log, 20))
		}
	}
}
