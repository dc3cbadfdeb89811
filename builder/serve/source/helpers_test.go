package source

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/gitsource"
)

// commitDate is the author and committer date of every commit of a
// libraryRepo: "@SECONDS ZONE", git's raw format.
const commitDate = "@1700000000 +0000"

// libraryRepo is a git repository with a work tree, as an official-images
// clone is, committed to with the git binary.
type libraryRepo struct {
	t   testing.TB
	dir string
}

func newLibraryRepo(t testing.TB, dir string) *libraryRepo {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &libraryRepo{t: t, dir: dir}
	r.git("init", "--quiet", "--initial-branch=main")
	return r
}

// write writes files (path → content, "/"-separated), creating directories.
func (r *libraryRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// commit commits the whole work tree and returns the commit id.
func (r *libraryRepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "--all")
	r.git("commit", "--quiet", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *libraryRepo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, nil, args...)
}

// runGit runs git in dir, isolated from the user's configuration, with a
// fixed identity and date, and returns its trimmed stdout.
func runGit(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Author", "GIT_AUTHOR_EMAIL=author@example.com", "GIT_AUTHOR_DATE="+commitDate,
		"GIT_COMMITTER_NAME=Committer", "GIT_COMMITTER_EMAIL=committer@example.com", "GIT_COMMITTER_DATE="+commitDate)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// libraryFile is a valid library file of one entry with tags.
func libraryFile(name string, tags ...string) string {
	return fmt.Sprintf(`Maintainers: Jane Doe <jane@example.com> (@jane)
GitRepo: https://github.com/docker-library/%s.git

Tags: %s
GitCommit: 0123456789abcdef0123456789abcdef01234567
`, name, strings.Join(tags, ", "))
}

func openCache(t testing.TB) *gitsource.Cache {
	t.Helper()
	c, err := gitsource.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// head is Cache.Head of main that fails the test on error.
func head(t testing.TB, c *gitsource.Cache, repo string) *gitsource.Commit {
	t.Helper()
	commit, err := c.Head(context.Background(), repo, "main")
	if err != nil {
		t.Fatal(err)
	}
	return commit
}

// read is Read of LibraryDir at the head of main of repo, in a fresh
// cache, failing the test on error.
func read(t testing.TB, repo string) *Library {
	t.Helper()
	lib, err := Read(context.Background(), head(t, openCache(t), repo), LibraryDir)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// repoNames returns the RepoName of each repo.
func repoNames(lib *Library) []string {
	var names []string
	for _, r := range lib.Repos {
		names = append(names, r.RepoName)
	}
	return names
}

// errorTexts returns the message of each error.
func errorTexts(lib *Library) []string {
	var msgs []string
	for _, err := range lib.Errors {
		msgs = append(msgs, err.Error())
	}
	return msgs
}

// checkErrors checks that lib has one error for each of want, starting
// with it.
func checkErrors(t *testing.T, want []string, lib *Library) {
	t.Helper()
	got := errorTexts(lib)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.HasPrefix(got[i], want[i])
	}
	if !ok {
		t.Errorf("errors:\n%s\nwant errors starting:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
