package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// debArch maps the farm's architectures to Debian's, for busybox-static.
var debArch = map[string]string{"amd64": "amd64", "arm64v8": "arm64", "ppc64le": "ppc64el", "s390x": "s390x"}

// fixture is a git repository served by git-daemon, holding a busybox base
// per architecture and the DAG's Dockerfiles.
type fixture struct {
	dir    string // base path the daemon serves
	repo   string // the repository's directory
	url    string // git://127.0.0.1:PORT/dag
	daemon *exec.Cmd
}

func newFixture(root, farmRoot string) (*fixture, error) {
	f := &fixture{dir: filepath.Join(root, "git")}
	f.repo = filepath.Join(f.dir, "dag")
	if err := os.MkdirAll(f.repo, 0o755); err != nil {
		return nil, err
	}
	if err := f.git("init", "-q", "-b", "main"); err != nil {
		return nil, err
	}
	for arch, deb := range debArch {
		if err := extractBusybox(farmRoot, deb, filepath.Join(f.repo, "base", arch)); err != nil {
			return nil, err
		}
		df := "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\n"
		if err := os.WriteFile(filepath.Join(f.repo, "base", arch, "Dockerfile"), []byte(df), 0o644); err != nil {
			return nil, err
		}
	}
	return f, f.serve()
}

// extractBusybox copies bin/busybox out of the .deb hack/farm smoke caches.
func extractBusybox(farmRoot, deb, dest string) error {
	debs, _ := filepath.Glob(filepath.Join(farmRoot, ".farm", "cache", "busybox", deb, "*.deb"))
	if len(debs) == 0 {
		return fmt.Errorf("no busybox-static .deb for %s in .farm/cache/busybox; run hack/farm smoke once", deb)
	}
	tmp, err := os.MkdirTemp("", "busybox-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], tmp).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x %s: %v: %s", debs[0], err, out)
	}
	data, err := os.ReadFile(filepath.Join(tmp, "bin", "busybox"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dest, "busybox"), data, 0o755)
}

// commit writes the DAG's Dockerfiles with a new nonce and commits them.
func (f *fixture) commit(levels, width int, sleep time.Duration) (commit, nonce string, err error) {
	nonce = randomHex(6)
	for l := 1; l <= levels; l++ {
		for i := range width {
			dir := filepath.Join(f.repo, "dag", fmt.Sprintf("l%d-%d", l, i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", "", err
			}
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dagDockerfile(l, i, width, sleep, nonce)), 0o644); err != nil {
				return "", "", err
			}
		}
	}
	if err := f.git("add", "-A"); err != nil {
		return "", "", err
	}
	if err := f.git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "dag "+nonce); err != nil {
		return "", "", err
	}
	out, err := exec.Command("git", "-C", f.repo, "rev-parse", "HEAD").Output()
	return strings.TrimSpace(string(out)), nonce, err
}

// dagDockerfile is the Dockerfile of job i of level l: FROM one job of the level above, COPY
// from another, then sleep. Level 1 is built FROM base.
func dagDockerfile(l, i, width int, sleep time.Duration, nonce string) string {
	if l == 1 {
		return fmt.Sprintf("FROM base\nRUN echo %s-l%d-%d > /id && sleep %g\n", nonce, l, i, sleep.Seconds())
	}
	a, b := fmt.Sprintf("dag:l%d-%d", l-1, i), fmt.Sprintf("dag:l%d-%d", l-1, (i+1)%width)
	return fmt.Sprintf("FROM %s\nCOPY --from=%s /id /parent-id\nRUN echo %s-l%d-%d > /id && sleep %g\n", a, b, nonce, l, i, sleep.Seconds())
}

// library returns the base and dag library files for commit.
func (f *fixture) library(commit string, levels, width int) map[string]string {
	head := "Maintainers: Bench (@bench)\nGitRepo: " + f.url + "\nGitCommit: " + commit + "\nArchitectures: amd64, arm64v8, ppc64le, s390x\n"
	base := head + "\nTags: latest\n"
	for arch := range debArch {
		base += arch + "-Directory: base/" + arch + "\n"
	}
	dag := head
	for l := 1; l <= levels; l++ {
		for i := range width {
			dag += fmt.Sprintf("\nTags: l%d-%d\nDirectory: dag/l%d-%d\n", l, i, l, i)
		}
	}
	return map[string]string{"base": base, "dag": dag}
}

func (f *fixture) serve() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return err
	}
	f.daemon = exec.Command(filepath.Join(strings.TrimSpace(string(execPath)), "git-daemon"),
		"--export-all", "--base-path="+f.dir, "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), "--reuseaddr", f.dir)
	if err := f.daemon.Start(); err != nil {
		return err
	}
	f.url = fmt.Sprintf("git://127.0.0.1:%d/dag", port)
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("git-daemon does not answer on port %d", port)
}

func (f *fixture) close() {
	if f.daemon != nil && f.daemon.Process != nil {
		f.daemon.Process.Kill()
		f.daemon.Wait()
	}
}

func (f *fixture) git(args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", f.repo}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
