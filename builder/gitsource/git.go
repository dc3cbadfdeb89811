package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runner runs the git binary against one bare repository.
type runner struct {
	bin    string
	gitDir string
	env    []string // from gitEnv
	opts   []string // global options before the command, such as -c NAME=VALUE
}

// with returns r with more global options and environment.
func (r runner) with(opts, env []string) runner {
	r.opts = append(r.opts[:len(r.opts):len(r.opts)], opts...)
	r.env = append(r.env[:len(r.env):len(r.env)], env...)
	return r
}

// waitDelay bounds how long a cancelled git may keep its pipes open.
const waitDelay = 5 * time.Second

// maxStderr is how much of git's stderr an error carries.
const maxStderr = 4 << 10

// repoLocalEnv are variables that would point git at another repository,
// index or object store than the one we pass with --git-dir.
var repoLocalEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
	"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_NAMESPACE", "GIT_PREFIX", "GIT_CEILING_DIRECTORIES",
}

// gitEnv is the process environment without repository-local variables,
// with prompts off and pathspecs literal.
func gitEnv() []string {
	env := make([]string, 0, len(os.Environ())+2)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(repoLocalEnv, name) {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_TERMINAL_PROMPT=0", "GIT_LITERAL_PATHSPECS=1")
}

// command builds a git command in its own session: without a controlling
// terminal neither git nor ssh can prompt, and cancelling ctx kills the
// whole process group (git, its remote helper, ssh).
func (r runner) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append(append([]string{"--git-dir=" + r.gitDir}, r.opts...), args...)
	cmd := exec.CommandContext(ctx, r.bin, full...)
	cmd.Env = r.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); !errors.Is(err, syscall.ESRCH) {
			return err
		}
		return os.ErrProcessDone
	}
	cmd.WaitDelay = waitDelay
	return cmd
}

// run runs git and returns its stdout. The error names the command and
// carries git's stderr.
func (r runner) run(ctx context.Context, args ...string) ([]byte, error) {
	return r.runShown(ctx, args, args...)
}

// runShown is run with shown, not args, in the error: a fetch shows the
// repository URL without its password.
func (r runner) runShown(ctx context.Context, shown []string, args ...string) ([]byte, error) {
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: maxStderr}
	cmd := r.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, commandError(ctx, shown, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// commandError formats a failed git command.
func commandError(ctx context.Context, args []string, err error, stderr string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w (%w)", ctxErr, err)
	}
	msg := strings.TrimSpace(stderr)
	if msg == "" {
		return fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, msg)
}

// exitedNonZero reports whether err is git running and exiting non-zero (as
// opposed to git not starting, or being killed).
func exitedNonZero(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.Exited()
}

// tailBuffer keeps the last max bytes written to it. It is safe for
// concurrent use: exec's goroutine writes git's stderr while a reader may
// report it.
type tailBuffer struct {
	max int
	mu  sync.Mutex
	buf []byte
}

var _ io.Writer = (*tailBuffer)(nil)

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
