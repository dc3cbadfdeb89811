package localdaemon

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// stopTimeout is how long stop waits for buildkitd to exit after SIGTERM
// before it kills it.
const stopTimeout = 15 * time.Second

// process is a buildkitd Find started.
type process struct {
	cmd     *exec.Cmd
	dir     string // its directory: socket, config, log, perhaps its root
	log     string
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error         // cmd.Wait's error, set before exited is closed

	once    sync.Once
	stopErr error
}

// stop ends the process by its pid (SIGTERM, then SIGKILL after
// stopTimeout), waits for it, and removes its directory. Only the first
// call acts; the others return its result.
func (p *process) stop() error {
	p.once.Do(func() { p.stopErr = p.terminate() })
	return p.stopErr
}

func (p *process) terminate() error {
	pid := p.cmd.Process.Pid
	select {
	case <-p.exited: // it died on its own
		return p.removeDir()
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping buildkitd (pid %d): %w", pid, err)
	}
	select {
	case <-p.exited:
		return p.removeDir()
	case <-time.After(stopTimeout):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("killing buildkitd (pid %d): %w", pid, err)
	}
	<-p.exited
	// A killed daemon may leave mounts in its root: keep the directory
	// for a look rather than fail half way through removing it.
	return fmt.Errorf("buildkitd (pid %d) ignored SIGTERM for %s and was killed; its directory %s is left behind", pid, stopTimeout, p.dir)
}

func (p *process) removeDir() error {
	if err := os.RemoveAll(p.dir); err != nil {
		return fmt.Errorf("removing the directory of buildkitd (pid %d): %w", p.cmd.Process.Pid, err)
	}
	return nil
}
