package farmtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sshdBin is Debian's OpenSSH server (package openssh-server).
const sshdBin = "/usr/sbin/sshd"

// sshdPrivsep is the privilege separation directory Debian's sshd is built
// with; it refuses to start without it. systemd makes it for the system's
// sshd (RuntimeDirectory=sshd); nothing does on a machine that runs none.
const sshdPrivsep = "/run/sshd"

// sshdStopTimeout bounds how long stopping the server waits for it and
// for the sessions it was serving.
const sshdStopTimeout = 10 * time.Second

// SSHD is an OpenSSH server a test started on loopback, and an ssh client
// configuration that reaches it and nothing else.
type SSHD struct {
	// Port is its port on 127.0.0.1.
	Port int
	// Dir holds its host key, the client's key, its configuration and
	// the client's, and its log.
	Dir string
	// ClientConfig is an ssh_config(5) for the client: the test's key, the
	// server's host key as the only one known, no questions asked.
	ClientConfig string
	// Log is the server's log (sshd -e), for a test to read or show.
	Log string

	ssh string // the ssh client, found on PATH before UseClient
}

// StartSSHD starts Debian's sshd (openssh-server, which hack/farm up
// installs) on a free port of 127.0.0.1, with a host key and a client key
// of its own. It accepts root from 127.0.0.1 only, by that key only, and
// gives its sessions a PATH that starts with the farm's tools (.farm/bin,
// buildctl among them): an ssh:// worker address (see [SSHD.Address])
// runs `buildctl dial-stdio` there, as BuildKit's ssh connection helper
// does. It needs root, as the system's sshd does, and makes /run/sshd if
// it is missing. t.Cleanup stops it and waits for the sessions it served.
func (f Farm) StartSSHD(t testing.TB) *SSHD {
	t.Helper()
	if _, err := os.Stat(sshdBin); err != nil {
		t.Fatalf("no OpenSSH server (apt-get install openssh-server; hack/farm up installs it): %v", err)
	}
	ssh, err := exec.LookPath("ssh")
	if err != nil {
		t.Fatalf("no ssh client (apt-get install openssh-client; hack/farm up installs it): %v", err)
	}
	if err := os.MkdirAll(sshdPrivsep, 0o755); err != nil {
		t.Fatalf("sshd's privilege separation directory: %v", err)
	}
	s := &SSHD{Dir: t.TempDir(), ssh: ssh}
	s.Log = filepath.Join(s.Dir, "sshd.log")
	_, port, _ := net.SplitHostPort(freePort(t))
	s.Port, _ = strconv.Atoi(port)
	hostKey, clientKey := s.keygen(t, "host"), s.keygen(t, "client")
	config := s.writeServerConfig(t, hostKey, clientKey+".pub", f.Bin(""))
	s.ClientConfig = s.writeClientConfig(t, hostKey+".pub", clientKey)
	cmd, exited := s.start(t, config, hostKey)
	t.Cleanup(func() {
		if err := s.stop(cmd, exited); err != nil {
			t.Error(err)
		}
	})
	if err := s.waitUp(t.Context(), exited); err != nil {
		t.Fatal(err)
	}
	return s
}

// Address is the ssh:// worker address of the buildkitd at unixAddr
// ("unix:///PATH/buildkitd.sock") through s: ssh://root@127.0.0.1:PORT/PATH.
func (s *SSHD) Address(t testing.TB, unixAddr string) string {
	t.Helper()
	path, ok := strings.CutPrefix(unixAddr, "unix://")
	if !ok || !filepath.IsAbs(path) {
		t.Fatalf("ssh address for %q: want unix:///PATH", unixAddr)
	}
	return fmt.Sprintf("ssh://root@127.0.0.1:%d%s", s.Port, path)
}

// UseClient makes the ssh that BuildKit's connection helper runs (the
// first on $PATH) use s.ClientConfig, for the rest of the test: it puts a
// script named ssh, which runs the real one with -F s.ClientConfig, first
// on $PATH (t.Setenv). The user's ~/.ssh is never read: ssh finds it
// through the user's entry in the password file, not $HOME, so a
// temporary HOME would not do.
func (s *SSHD) UseClient(t testing.TB) {
	t.Helper()
	dir := filepath.Join(s.Dir, "bin")
	script := fmt.Sprintf("#!/bin/sh\nexec %s -F %s \"$@\"\n", shellQuote(s.ssh), shellQuote(s.ClientConfig))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// Sessions counts the sessions the server has started, from its log.
func (s *SSHD) Sessions(t testing.TB) int {
	t.Helper()
	f, err := os.Open(s.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Starting session: command for root from 127.0.0.1") {
			n++
		}
	}
	return n
}

// LogTail returns the last n lines of the server's log.
func (s *SSHD) LogTail(n int) string { return tail(s.Log, n) }

// keygen makes an ed25519 key pair, Dir/NAME and Dir/NAME.pub, and
// returns the private key's path.
func (s *SSHD) keygen(t testing.TB, name string) string {
	t.Helper()
	key := filepath.Join(s.Dir, name)
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "brewkit-test-"+name, "-f", key).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen for the %s key: %v\n%s", name, err, out)
	}
	return key
}

// writeServerConfig writes the server's sshd_config: root from 127.0.0.1
// by the client's key (authorizedKeys) only, and a PATH for its sessions
// that starts with bin. Nothing of the system's /etc/ssh is read.
func (s *SSHD) writeServerConfig(t testing.TB, hostKey, authorizedKeys, bin string) string {
	t.Helper()
	path := filepath.Join(s.Dir, "sshd_config")
	config := strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"PidFile none",
		"AuthorizedKeysFile " + authorizedKeys,
		"AuthenticationMethods publickey",
		"PermitRootLogin prohibit-password",
		"AllowUsers root@127.0.0.1",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"StrictModes no", // its files are under /tmp, which everyone may write to
		"PermitUserEnvironment no",
		"X11Forwarding no",
		"AllowTcpForwarding no",
		"PrintMotd no",
		"SetEnv PATH=" + filepath.Clean(bin) + ":/usr/local/bin:/usr/bin:/bin",
		"LogLevel VERBOSE",
	}, "\n") + "\n"
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeClientConfig writes the client's ssh_config: the client's key
// alone, the server's host key (from hostPub) the only one known, never a
// question. No other configuration file is read with -F.
func (s *SSHD) writeClientConfig(t testing.TB, hostPub, clientKey string) string {
	t.Helper()
	pub, err := os.ReadFile(hostPub)
	if err != nil {
		t.Fatal(err)
	}
	typ, key, _ := strings.Cut(strings.TrimSpace(string(pub)), " ")
	key, _, _ = strings.Cut(key, " ") // no comment
	known := filepath.Join(s.Dir, "known_hosts")
	if err := os.WriteFile(known, fmt.Appendf(nil, "[127.0.0.1]:%d %s %s\n", s.Port, typ, key), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir, "ssh_config")
	config := strings.Join([]string{
		"Host *",
		"  IdentityFile " + clientKey,
		"  IdentitiesOnly yes",
		"  IdentityAgent none",
		"  UserKnownHostsFile " + known,
		"  GlobalKnownHostsFile /dev/null",
		"  StrictHostKeyChecking yes",
		"  UpdateHostKeys no",
		"  BatchMode yes",
		"  LogLevel ERROR",
	}, "\n") + "\n"
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// start runs sshd in the foreground (-D), logging to s.Log (-e), in a
// process group of its own; exited is closed once it has been reaped.
func (s *SSHD) start(t testing.TB, config, hostKey string) (*exec.Cmd, chan struct{}) {
	t.Helper()
	log, err := os.Create(s.Log)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close() // sshd has its own copy
	cmd := exec.Command(sshdBin, "-D", "-e", "-f", config, "-h", hostKey, "-p", fmt.Sprint(s.Port))
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	return cmd, exited
}

// waitUp waits until the server greets a connection with its SSH
// version, or fails with the end of its log if it exits or does not
// answer within 10 s.
func (s *SSHD) waitUp(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addr := fmt.Sprintf("127.0.0.1:%d", s.Port)
	for {
		if greets(ctx, addr) {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("sshd on %s exited:\n%s", addr, tail(s.Log, 20))
		case <-ctx.Done():
			return fmt.Errorf("sshd on %s does not answer: %w\n%s", addr, ctx.Err(), tail(s.Log, 20))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// greets reports whether an SSH server answers at addr.
func greets(ctx context.Context, addr string) bool {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	if err := c.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-2.0-")
}

// stop ends the server (SIGTERM to its pid) and waits for it and for the
// sessions it was serving: each runs in a process of its own (sshd makes
// it a session leader, out of the server's process group), which ends
// when its client goes. A session still there after sshdStopTimeout is
// killed, and stop says so: its client was left running.
func (s *SSHD) stop(cmd *exec.Cmd, exited <-chan struct{}) error {
	sessions, err := descendants(cmd.Process.Pid)
	if err != nil {
		return err
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping sshd (pid %d): %w", cmd.Process.Pid, err)
	}
	select {
	case <-exited:
	case <-time.After(sshdStopTimeout):
		cmd.Process.Kill()
		<-exited
		return fmt.Errorf("sshd (pid %d) ignored SIGTERM for %s and was killed", cmd.Process.Pid, sshdStopTimeout)
	}
	deadline := time.Now().Add(sshdStopTimeout)
	var left []int
	for _, p := range sessions {
		for alive(p) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(p) {
			left = append(left, p.Pid)
			syscall.Kill(p.Pid, syscall.SIGKILL)
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("sshd sessions (pids %v) still ran %s after the server stopped; killed them:\n%s", left, sshdStopTimeout, tail(s.Log, 20))
	}
	return nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
