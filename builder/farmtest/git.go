package farmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// commitDate is the author and committer date of every commit, so that the
// same files give the same commit ids.
const commitDate = "2024-01-01T00:00:00Z"

// URL returns the git:// URL of the repository name.
func (g *Git) URL(name string) string {
	return fmt.Sprintf("git://127.0.0.1:%d/%s", g.Port, name)
}

// NewRepo creates the repository name holding files (path -> content; paths
// use "/" and may have directories) in one commit, and returns its URL and
// the commit id. Files that start like an executable ("\x7fELF" or "#!") get
// mode 0755, others 0644. Commits have a fixed author, committer and date, so
// the same files give the same commit id.
func (g *Git) NewRepo(t testing.TB, name string, files map[string]string) (url, commit string) {
	t.Helper()
	dir := filepath.Join(g.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "init", "-q", "-b", "main")
	// BuildKit fetches by commit id; allow that whatever protocol version the
	// client speaks.
	runGit(t, dir, "config", "uploadpack.allowAnySHA1InWant", "true")
	return g.URL(name), g.Commit(t, name, files)
}

// Commit adds or overwrites files in the repository name, as NewRepo
// writes them, commits, and returns the commit id.
func (g *Git) Commit(t testing.TB, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(g.Dir, name)
	for p, content := range files {
		writeRepoFile(t, dir, p, content)
	}
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("%s: %d files", name, len(files)))
	return strings.TrimSpace(runGit(t, dir, "rev-parse", "HEAD"))
}

func writeRepoFile(t testing.TB, dir, p, content string) {
	t.Helper()
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		t.Fatalf("repository file %q: want a relative path inside the repository", p)
	}
	path := filepath.Join(dir, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	mode := os.FileMode(0o644)
	if strings.HasPrefix(content, "\x7fELF") || strings.HasPrefix(content, "#!") {
		mode = 0o755
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile keeps an existing file's mode
		t.Fatal(err)
	}
}

// runGit runs git in dir with a fixed identity and date and no user or
// system configuration, and returns its output.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"-c", "user.name=brewkit e2e", "-c", "user.email=e2e@brewkit.invalid"}, args...)
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(), "GIT_AUTHOR_DATE="+commitDate, "GIT_COMMITTER_DATE="+commitDate)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.Bytes())
	}
	return string(out)
}

// gitEnv is the environment without the user's and system's git settings.
func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
}
