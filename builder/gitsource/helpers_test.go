package gitsource

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fixed fixture dates: "@SECONDS ZONE" is git's raw date format.
const (
	date1 = "@1700000000 +0000"
	date2 = "@1710000000 +0200"
)

// fixture is a non-bare origin repository built with the git binary.
type fixture struct {
	t   testing.TB
	dir string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: filepath.Join(t.TempDir(), "origin")}
	if err := os.Mkdir(f.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f.git("init", "--quiet", "--initial-branch=main")
	return f
}

// fixtureEnv isolates fixture git commands from the user's configuration
// and fixes identities and dates.
func fixtureEnv(authorDate, committerDate string) []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Author", "GIT_AUTHOR_EMAIL=author@example.com", "GIT_AUTHOR_DATE="+authorDate,
		"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=committer@example.com", "GIT_COMMITTER_DATE="+committerDate,
	)
}

// git runs git in the work tree and returns its trimmed stdout.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	return runGit(f.t, f.dir, fixtureEnv(date1, date1), args...)
}

func runGit(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// write writes a file in the work tree, creating directories.
func (f *fixture) write(name, content string, mode os.FileMode) {
	f.t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile keeps an existing file's mode
		f.t.Fatal(err)
	}
}

// symlink makes name a symlink to target in the work tree.
func (f *fixture) symlink(name, target string) {
	f.t.Helper()
	p := filepath.Join(f.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		f.t.Fatal(err)
	}
}

// commit commits everything with the given dates and returns the commit id.
func (f *fixture) commit(msg, authorDate, committerDate string) string {
	f.t.Helper()
	env := fixtureEnv(authorDate, committerDate)
	runGit(f.t, f.dir, env, "add", "--all")
	runGit(f.t, f.dir, env, "commit", "--quiet", "--allow-empty", "-m", msg)
	return runGit(f.t, f.dir, env, "rev-parse", "HEAD")
}

// openCache opens a cache in a fresh temporary directory.
func openCache(t testing.TB, opts ...Option) *Cache {
	t.Helper()
	c, err := Open(filepath.Join(t.TempDir(), "cache"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ensure is Ensure that fails the test on error.
func ensure(t testing.TB, c *Cache, src Source) *Commit {
	t.Helper()
	commit, err := c.Ensure(context.Background(), src)
	if err != nil {
		t.Fatalf("Ensure(%+v): %v", src, err)
	}
	return commit
}

// cacheGit runs git in the cache repository of repo.
func cacheGit(t testing.TB, c *Cache, repo string, args ...string) string {
	t.Helper()
	rem, err := parseRemote(repo)
	if err != nil {
		t.Fatal(err)
	}
	return runGit(t, c.runner(rem).gitDir, fixtureEnv(date1, date1), args...)
}

// countingGit writes a git wrapper that logs every fetch to a file and
// sleeps delay before running it, widening the window for races. count
// returns the number of fetches so far.
func countingGit(t testing.TB, delay string) (bin string, count func() int) {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "fetches.log")
	script := fmt.Sprintf(`#!/bin/sh
for a in "$@"; do
	if [ "$a" = fetch ]; then echo fetch >> %s; sleep %s; break; fi
done
exec %s "$@"
`, shellQuote(log), delay, shellQuote(real))
	bin = filepath.Join(dir, "git")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, func() int {
		b, err := os.ReadFile(log)
		if os.IsNotExist(err) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Count(b, []byte("fetch\n"))
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// logBuffer collects a logger's output; it is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
