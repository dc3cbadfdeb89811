package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitIn runs git in dir with a fixed identity and date.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commitFiles writes files into the git repository dir and commits them.
func commitFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "c")
	return gitIn(t, dir, "rev-parse", "HEAD")
}

func TestCheckCommand(t *testing.T) {
	src := t.TempDir()
	gitIn(t, src, "init", "-q", "-b", "main")
	commit := commitFiles(t, src, map[string]string{"scratch/Dockerfile": "FROM scratch\n", "deb/Dockerfile": "FROM debian:bookworm\n"})
	global := fmt.Sprintf("Maintainers: A B (@ab)\nGitRepo: %s\nGitCommit: %s\nGitFetch: refs/heads/main\n", src, commit)

	oi := t.TempDir() // official-images
	gitIn(t, oi, "init", "-q", "-b", "main")
	base := commitFiles(t, oi, map[string]string{
		"library/debian":       global + "\nTags: bookworm\nArchitectures: amd64, arm64v8\nDirectory: scratch\n",
		"library/good":         global + "\nTags: 1\nDirectory: deb\n",
		"library/bad":          global + "\nTags: 1\nDirectory: deb\n",
		".external-pins/.keep": "",
	})
	commitFiles(t, oi, map[string]string{
		"library/bad": global + "\nTags: 1, 1-latest\nArchitectures: amd64, s390x\nDirectory: deb\n",
	})
	env := map[string]string{"BREWKIT_LIBRARY": filepath.Join(oi, "library"), "BREWKIT_CACHE": t.TempDir(), "BREWKIT_ARCH": "amd64", "HOME": "/nonexistent"}

	t.Run("against, json", func(t *testing.T) {
		out, _, err := brewkit(t, env, "check", "--against", base, "--format", "json")
		if code := exitCode(err); code != 2 {
			t.Fatalf("exit %d (%v); want 2 (latest-tag and from)", code, err)
		}
		var got checkOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if strings.Join(got.Repos, " ") != "bad" || len(got.Findings) != 2 || len(got.Skipped) != 0 || fmt.Sprint(got.Failed) != "[latest-tag from]" {
			t.Fatalf("got %+v", got)
		}
		f := got.Findings[1]
		if f.File != filepath.Join(oi, "library", "bad") || f.Line != 7 || f.Tag != "bad:1" || f.Arch != "s390x" ||
			!strings.HasPrefix(f.Message, "FROM debian:bookworm is not built for s390x") {
			t.Errorf("finding %+v", f)
		}
		for _, k := range []string{`"rule": "from"`, `"file":`, `"line": 7`, `"tag": "bad:1"`, `"arch": "s390x"`, `"message":`} {
			if !strings.Contains(out, k) {
				t.Errorf("JSON lacks %s:\n%s", k, out)
			}
		}
	})
	t.Run("text, one rule", func(t *testing.T) {
		out, _, err := brewkit(t, env, "check", "--rule", "latest-tag", "bad")
		if code := exitCode(err); code != 1 {
			t.Fatalf("exit %d (%v); want 1", code, err)
		}
		want := filepath.Join(oi, "library", "bad") + `:6: bad:1-latest: tag "1-latest" contains "latest"`
		if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("output %q; want one line starting %q", out, want)
		}
	})
	t.Run("clean", func(t *testing.T) {
		out, _, err := brewkit(t, env, "check", "good", "debian")
		if err != nil || out != "" {
			t.Errorf("check good debian: %v, %q; want exit 0 and nothing printed", err, out)
		}
	})
	t.Run("no changes", func(t *testing.T) {
		_, stderr, err := brewkit(t, env, "check", "--against", "HEAD")
		if err != nil || !strings.Contains(stderr, "No library/ changes detected") {
			t.Errorf("%v, %q", err, stderr)
		}
	})
	for _, args := range [][]string{
		{"check"},
		{"check", "--against", base, "bad"},
		{"check", "--rule", "nope", "bad"},
		{"check", "--format", "yaml", "bad"},
		{"check", "--bogus"},
		{"check", "nosuchrepo"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := brewkit(t, env, args...)
			if code := exitCode(err); code != exitCheckBroken {
				t.Errorf("exit %d (%v); want %d", code, err, exitCheckBroken)
			}
		})
	}
}

// TestCheckUnreachableRegistry: a FROM pinned in .external-pins whose
// registry does not answer is neither passed nor failed: the from rule is
// skipped with a warning naming the image and why, and fails the run
// with --strict.
func TestCheckUnreachableRegistry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String() // a registry nothing answers for
	l.Close()
	from := down + "/fixture/img:1"

	src := t.TempDir()
	gitIn(t, src, "init", "-q", "-b", "main")
	commit := commitFiles(t, src, map[string]string{"ext/Dockerfile": "FROM " + from + "\n"})
	oi := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(oi, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("library/ext", fmt.Sprintf("Maintainers: A B (@ab)\nGitRepo: %s\nGitCommit: %s\n\nTags: 1\nDirectory: ext\n", src, commit))
	write(".external-pins/"+strings.Replace(from, ":", "___", 1), "sha256:"+strings.Repeat("0", 64)+"\n")
	env := map[string]string{"BREWKIT_LIBRARY": filepath.Join(oi, "library"), "BREWKIT_CACHE": t.TempDir(), "HOME": "/nonexistent"}

	for _, tc := range []struct {
		args []string
		exit int
	}{
		{[]string{"check", "--rule", "from", "ext"}, 0},
		{[]string{"check", "--rule", "from", "--strict", "ext"}, 1},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, stderr, err := brewkit(t, env, tc.args...)
			if code := exitCode(err); code != tc.exit {
				t.Errorf("exit %d (%v); want %d", code, err, tc.exit)
			}
			want := fmt.Sprintf("warning: %s:5: ext:1 [amd64]: from skipped: FROM %s: cannot learn the architectures of the pinned %s@sha256:", filepath.Join(oi, "library", "ext"), from, from)
			if out != "" || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "unreachable: ") || !strings.Contains(stderr, "connection refused") {
				t.Errorf("stdout %q, stderr %q; want no finding and a warning starting %q", out, stderr, want)
			}
		})
	}
}
