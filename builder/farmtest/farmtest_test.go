package farmtest_test

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
)

func TestGitDaemon(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git on PATH")
	}
	files := map[string]string{
		"Dockerfile":   "FROM scratch\n",
		"bin/hello.sh": "#!/bin/sh\necho hello\n",
	}
	// The daemon stops with the test that started it.
	var stopped *farmtest.Git
	t.Run("stops", func(t *testing.T) { stopped = farmtest.GitDaemon(t) })
	if err := syscall.Kill(stopped.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("git daemon pid %d after its test: kill -0 = %v, want ESRCH (gone)", stopped.Pid, err)
	}
	if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", stopped.Port)); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after the test that started git daemon there", stopped.Port)
	}

	g := farmtest.GitDaemon(t)
	url, commit := g.NewRepo(t, "hello", files)
	if want := g.URL("hello"); url != want || !strings.HasPrefix(url, "git://127.0.0.1:") {
		t.Errorf("NewRepo URL = %q, want %q on 127.0.0.1", url, want)
	}

	// The same files make the same commit, on another daemon too.
	if _, again := farmtest.GitDaemon(t).NewRepo(t, "hello", files); again != commit {
		t.Errorf("NewRepo of the same files: commit %s, then %s; want reproducible commits", commit, again)
	}

	second := g.Commit(t, "hello", map[string]string{"README": "second\n"})
	if second == commit {
		t.Fatalf("Commit returned the first commit %s", commit)
	}

	// Fetch the first commit by id, as BuildKit does for URL#COMMIT.
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	git(t, dir, "fetch", "-q", "--depth=1", url, commit)
	git(t, dir, "checkout", "-q", "FETCH_HEAD")
	for name, content := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != content {
			t.Errorf("%s at %s = %q, %v; want %q", name, commit, got, err, content)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "bin/hello.sh")); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("bin/hello.sh: mode %v, %v; want executable", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README")); !os.IsNotExist(err) {
		t.Errorf("README exists at the first commit (%v)", err)
	}
	if out := git(t, dir, "ls-remote", url, "refs/heads/main"); !strings.HasPrefix(out, second) {
		t.Errorf("main = %q, want the second commit %s", out, second)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestE2EBusybox checks that Busybox returns a static binary for each farm
// architecture (from the .farm cache, or downloaded with apt-get).
func TestE2EBusybox(t *testing.T) {
	if os.Getenv("BREWKIT_E2E") != "1" {
		t.Skip("end-to-end test: set BREWKIT_E2E=1")
	}
	for arch, machine := range map[string]elf.Machine{
		"amd64": elf.EM_X86_64, "arm64v8": elf.EM_AARCH64, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390,
	} {
		t.Run(arch, func(t *testing.T) {
			bin := farmtest.Busybox(t, arch)
			f, err := elf.NewFile(bytes.NewReader(bin))
			if err != nil {
				t.Fatalf("Busybox(%q) is not ELF: %v", arch, err)
			}
			if f.Machine != machine {
				t.Errorf("Busybox(%q) is for %v, want %v", arch, f.Machine, machine)
			}
			if f.Section(".interp") != nil {
				t.Errorf("Busybox(%q) has an interpreter; want a static binary", arch)
			}
		})
	}
}
