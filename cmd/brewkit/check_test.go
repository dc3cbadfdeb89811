package main

import (
	"encoding/json"
	"fmt"
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
