package farmtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gitStopTimeout bounds how long stopping a git daemon waits for the
// processes serving its connections once the connections are shut down.
const gitStopTimeout = 10 * time.Second

// Git is a git daemon serving the repositories under Dir over git:// on
// loopback, read-only.
type Git struct {
	// Dir holds one repository per name.
	Dir string
	// Port is the daemon's port on 127.0.0.1.
	Port int
}

// GitDaemon serves a fresh temporary directory over git:// on a free
// loopback port, every repository exported, read-only. It listens itself
// and runs `git-daemon --inetd` (from `git --exec-path`) for each
// connection, so every process serving one is its child.
//
// t.Cleanup stops it: it closes the port, shuts down the connections
// still open, and waits for their git-daemon processes, each of which
// reaps the upload-pack it ran. When the cleanup returns, the port
// refuses connections and nothing GitDaemon started is left, running or
// unreaped. A process still there gitStopTimeout after its connection was
// shut down has its process group killed, and the test fails.
func GitDaemon(t testing.TB) *Git {
	t.Helper()
	bin := filepath.Join(strings.TrimSpace(runGit(t, "", "--exec-path")), "git-daemon")
	g := &Git{Dir: t.TempDir()}
	logFile := filepath.Join(t.TempDir(), "git-daemon.log")
	log, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		log.Close()
		t.Fatalf("git daemon: %v", err)
	}
	g.Port = l.Addr().(*net.TCPAddr).Port
	s := &gitServer{
		argv: []string{bin, "--inetd", "--export-all", "--base-path=" + g.Dir, "--informative-errors",
			"--log-destination=stderr", g.Dir},
		log: log, logFile: logFile, l: l, served: make(chan struct{}), conns: map[*gitConn]bool{},
	}
	go s.serve()
	t.Cleanup(func() {
		if err := s.stop(gitStopTimeout); err != nil {
			t.Errorf("git daemon on port %d: %v", g.Port, err)
		}
	})
	return g
}

// gitServer accepts git:// connections and runs a git-daemon --inetd on
// each, in a process group of its own.
type gitServer struct {
	argv    []string
	log     *os.File // the daemons' stderr
	logFile string
	l       *net.TCPListener
	served  chan struct{} // closed when serve has returned

	mu    sync.Mutex
	conns map[*gitConn]bool // the connections being served
	wg    sync.WaitGroup    // their wait goroutines
}

// gitConn is a connection and the git-daemon serving it.
type gitConn struct {
	conn *net.TCPConn
	cmd  *exec.Cmd
}

// serve accepts connections until l is closed.
func (s *gitServer) serve() {
	defer close(s.served)
	for {
		c, err := s.l.AcceptTCP()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				fmt.Fprintf(s.log, "farmtest: accepting git connections: %v\n", err)
			}
			return
		}
		if err := s.start(c); err != nil {
			fmt.Fprintf(s.log, "farmtest: %v\n", err)
			c.Close()
		}
	}
}

// start runs a git-daemon --inetd on c and a goroutine that waits for it.
func (s *gitServer) start(c *net.TCPConn) error {
	f, err := c.File()
	if err != nil {
		return fmt.Errorf("git daemon for %s: %w", c.RemoteAddr(), err)
	}
	defer f.Close() // the daemon has its own copy
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	cmd.Env = gitEnv()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, f, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting git daemon for %s: %w", c.RemoteAddr(), err)
	}
	gc := &gitConn{conn: c, cmd: cmd}
	s.mu.Lock()
	s.conns[gc] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go s.wait(gc)
	return nil
}

// wait reaps gc's daemon and closes its connection.
func (s *gitServer) wait(gc *gitConn) {
	defer s.wg.Done()
	if err := gc.cmd.Wait(); err != nil {
		fmt.Fprintf(s.log, "farmtest: git daemon pid %d for %s: %v\n", gc.cmd.Process.Pid, gc.conn.RemoteAddr(), err)
	}
	gc.conn.Close()
	s.mu.Lock()
	delete(s.conns, gc)
	s.mu.Unlock()
}

// stop closes the port, shuts down the connections being served (their
// daemons and upload-packs read end of file, and exit), and waits for
// the daemons, up to timeout; then it kills their process groups and
// says so.
func (s *gitServer) stop(timeout time.Duration) error {
	defer s.log.Close()
	s.l.Close()
	<-s.served // no daemon starts after this
	s.mu.Lock()
	for gc := range s.conns {
		gc.conn.CloseRead()
		gc.conn.CloseWrite()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-time.After(timeout):
	}
	var pids []int
	s.mu.Lock()
	for gc := range s.conns {
		pids = append(pids, gc.cmd.Process.Pid)
		syscall.Kill(-gc.cmd.Process.Pid, syscall.SIGKILL)
	}
	s.mu.Unlock()
	<-done
	return fmt.Errorf("git-daemon pids %v still ran %s after their connections were shut down; killed their process groups:\n%s",
		pids, timeout, tail(s.logFile, 20))
}
