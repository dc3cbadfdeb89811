package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// reexecEnv, set to 1, makes the test binary run brewkit's main instead
// of the tests: that is how a test runs brewkit in processes of its own
// (see [startBrewkit]).
const reexecEnv = "BREWKIT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(reexecEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is brewkit running in a process of its own.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startBrewkit starts brewkit with args in a new process: the test binary
// itself, with a fresh HOME, PATH (for git) and nothing else of the
// environment. It is killed if the test ends first.
func startBrewkit(t *testing.T, args ...string) *process {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{cmd: exec.CommandContext(ctx, exe, args...)}
	p.cmd.Env = []string{reexecEnv + "=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "TMPDIR=" + filepath.Clean(os.TempDir())}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting brewkit %v: %v", args, err)
	}
	t.Cleanup(func() {
		cancel()
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Wait()
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit error, if any.
func (p *process) wait() error { return p.cmd.Wait() }
