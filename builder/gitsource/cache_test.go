package gitsource

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEnsureLocal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	id := f.commit("one", date1, date1)
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(cwd, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, repo string }{
		{"absolute path", f.dir},
		{"relative path", rel},
		{"file URL", "file://" + f.dir},
		{"file URL with .git and slash", "file://" + f.dir + "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := openCache(t)
			commit := ensure(t, c, Source{Repo: tc.repo, Fetch: "refs/heads/main", Commit: id})
			got, err := commit.ReadFile(context.Background(), "Dockerfile", 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "FROM scratch\n" {
				t.Errorf("ReadFile = %q", got)
			}
			if ref := cacheGit(t, c, tc.repo, "rev-parse", commitRefPrefix+id); ref != id {
				t.Errorf("%s%s = %q, want %s", commitRefPrefix, id, ref, id)
			}
			if got := cacheGit(t, c, tc.repo, "config", "gc.auto"); got != "0" {
				t.Errorf("gc.auto = %q, want 0", got)
			}
		})
	}
}

// A present commit needs no fetch: the origin is gone for the second call.
func TestEnsurePresentNoFetch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	src := Source{Repo: f.dir, Fetch: "refs/heads/main", Commit: f.commit("one", date1, date1)}
	c := openCache(t)
	ensure(t, c, src)
	if err := os.Rename(f.dir, f.dir+".gone"); err != nil {
		t.Fatal(err)
	}
	ensure(t, c, src) // in-process memo
	reopened, err := Open(c.Dir())
	if err != nil {
		t.Fatal(err)
	}
	commit := ensure(t, reopened, src) // on-disk check only
	if _, err := commit.ReadFile(context.Background(), "Dockerfile", 1<<20); err != nil {
		t.Fatal(err)
	}
}

// With protocol v0 and uploadpack.allowReachableSHA1InWant=false, git
// refuses to fetch a commit that is not a ref tip; Ensure falls back to
// fetching GitFetch. (Protocol v2, the default, fetches any commit by id.)
func TestEnsureFallbackToFetchRef(t *testing.T) {
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "protocol.version")
	t.Setenv("GIT_CONFIG_VALUE_0", "0")
	f := newFixture(t)
	f.git("config", "uploadpack.allowReachableSHA1InWant", "false")
	f.git("config", "uploadpack.allowAnySHA1InWant", "false")
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	older := f.commit("one", date1, date1)
	f.write("Dockerfile", "FROM busybox\n", 0o644)
	tip := f.commit("two", date1, date1)

	var logs logBuffer
	c := openCache(t, WithLogger(logs.logger()))
	repo := "file://" + f.dir
	commit := ensure(t, c, Source{Repo: repo, Fetch: "refs/heads/main", Commit: older})
	got, err := commit.ReadFile(context.Background(), "Dockerfile", 1<<20)
	if err != nil || string(got) != "FROM scratch\n" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if !strings.Contains(logs.String(), "fetch by commit failed") {
		t.Errorf("no fallback in the log:\n%s", logs.String())
	}
	if ref := cacheGit(t, c, repo, "rev-parse", fetchRefPrefix+"heads/main"); ref != tip {
		t.Errorf("fetch ref = %q, want %s", ref, tip)
	}
	if ref := cacheGit(t, c, repo, "rev-parse", commitRefPrefix+older); ref != older {
		t.Errorf("commit ref = %q, want %s", ref, older)
	}
}

func TestEnsureMissingCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	f.commit("one", date1, date1)
	missing := strings.Repeat("ab", 20)
	c := openCache(t)

	_, err := c.Ensure(context.Background(), Source{Repo: f.dir, Fetch: "refs/heads/main", Commit: missing})
	var nf *CommitNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want a *CommitNotFoundError", err)
	}
	want := "commit " + missing + " is not in " + f.dir + " (fetched refs/heads/main); is it pushed?"
	if err.Error() != want {
		t.Errorf("err = %q\nwant %q", err, want)
	}

	_, err = c.Ensure(context.Background(), Source{Repo: f.dir, Commit: missing})
	want = "commit " + missing + " is not in " + f.dir + " (fetched by commit id); is it pushed? (git: not our ref " + missing + ")"
	if !errors.As(err, &nf) || err.Error() != want {
		t.Errorf("err = %v, want a *CommitNotFoundError %q", err, want)
	}
}

func TestEnsureUnreachableRepo(t *testing.T) {
	t.Parallel()
	c := openCache(t)
	repo := filepath.Join(t.TempDir(), "no-such-repo")
	_, err := c.Ensure(context.Background(), Source{Repo: repo, Fetch: "refs/heads/main", Commit: strings.Repeat("1", 40)})
	want := "fetching " + repo + ": '" + repo + "' does not appear to be a git repository"
	if fe := (*FetchError)(nil); !errors.As(err, &fe) || fe.Repo != repo || fe.Repeat || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want a *FetchError starting %q", err, want)
	}
}

// A fetch that hangs (here: a wrapper that sleeps) is killed by the timeout.
func TestEnsureFetchTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	bin, _ := countingGit(t, "30")
	c := openCache(t, WithGit(bin), WithFetchTimeout(200*time.Millisecond))
	start := time.Now()
	_, err := c.Ensure(context.Background(), Source{Repo: f.dir, Commit: id})
	if err == nil || !strings.Contains(err.Error(), "timed out after 200ms") {
		t.Errorf("err = %v, want a timeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Ensure took %v", took)
	}
}

func TestEnsureCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	bin, _ := countingGit(t, "0.3")
	c := openCache(t, WithGit(bin))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	src := Source{Repo: f.dir, Commit: id}
	if _, err := c.Ensure(ctx, src); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	// The shared fetch goes on without the caller; joining it lets it
	// finish before the test's directories are removed.
	ensure(t, c, src)
}

func TestEnsureInvalidSource(t *testing.T) {
	t.Parallel()
	c := openCache(t)
	good := strings.Repeat("a", 40)
	for _, tc := range []struct {
		name string
		src  Source
		want string
	}{
		{"short commit", Source{Repo: "/r", Commit: "abc123"}, `GitCommit "abc123": want a full`},
		{"upper-case commit", Source{Repo: "/r", Commit: strings.Repeat("A", 40)}, "want a full"},
		{"branch as commit", Source{Repo: "/r", Commit: "main"}, "want a full"},
		{"fetch not a ref", Source{Repo: "/r", Fetch: "main", Commit: good}, `GitFetch "main"`},
		{"fetch refspec", Source{Repo: "/r", Fetch: "refs/heads/a:refs/heads/b", Commit: good}, "GitFetch"},
		{"fetch forced", Source{Repo: "/r", Fetch: "+refs/heads/a", Commit: good}, "GitFetch"},
		{"fetch glob", Source{Repo: "/r", Fetch: "refs/heads/*", Commit: good}, "GitFetch"},
		{"empty repo", Source{Commit: good}, "empty GitRepo"},
		{"option repo", Source{Repo: "--upload-pack=touch /tmp/x", Commit: good}, `must not start with "-"`},
		{"remote helper", Source{Repo: "ext::sh -c touch% /tmp/pwned", Commit: good}, "remote-helper syntax"},
		{"unsupported scheme", Source{Repo: "ftp://example.com/r.git", Commit: good}, `unsupported scheme "ftp"`},
		{"scp without path", Source{Repo: "git@github.com:", Commit: good}, "missing path"},
		{"url without host", Source{Repo: "https:///r.git", Commit: good}, "missing host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Ensure(context.Background(), tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Ensure(%+v) = %v, want an error containing %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestParseRemote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		repo string
		want remote // slug: the readable part only
	}{
		{"https://github.com/docker-library/golang.git", remote{
			url: "https://github.com/docker-library/golang.git", display: "https://github.com/docker-library/golang.git",
			key: "https://github.com/docker-library/golang", slug: "github.com_docker-library_golang"}},
		{"https://GitHub.com/docker-library/golang/", remote{
			url: "https://GitHub.com/docker-library/golang/", display: "https://GitHub.com/docker-library/golang/",
			key: "https://github.com/docker-library/golang", slug: "github.com_docker-library_golang"}},
		{"https://user:secret@example.com:8443/a/b.git", remote{
			url: "https://example.com:8443/a/b.git", display: "https://example.com:8443/a/b.git",
			key: "https://example.com:8443/a/b", slug: "example.com_8443_a_b", cred: url.UserPassword("user", "secret")}},
		{"git://git.example.org/r", remote{
			url: "git://git.example.org/r", display: "git://git.example.org/r",
			key: "git://git.example.org/r", slug: "git.example.org_r"}},
		{"ssh://git@example.com/o/r.git", remote{
			url: "ssh://git@example.com/o/r.git", display: "ssh://example.com/o/r.git",
			key: "ssh://example.com/o/r", slug: "example.com_o_r"}},
		{"git@github.com:docker-library/golang.git", remote{
			url: "git@github.com:docker-library/golang.git", display: "git@github.com:docker-library/golang.git",
			key: "ssh://github.com/docker-library/golang", slug: "github.com_docker-library_golang"}},
		{"file:///srv/git/r", remote{url: "/srv/git/r", display: "/srv/git/r", key: "file:///srv/git/r", slug: "srv_git_r"}},
		{"/srv/git/r", remote{url: "/srv/git/r", display: "/srv/git/r", key: "file:///srv/git/r", slug: "srv_git_r"}},
		{"/" + strings.Repeat("x", 100) + "/name", remote{
			url: "/" + strings.Repeat("x", 100) + "/name", display: "/" + strings.Repeat("x", 100) + "/name",
			key: "file:///" + strings.Repeat("x", 100) + "/name", slug: strings.Repeat("x", 59) + "_name"}},
	} {
		got, err := parseRemote(tc.repo)
		if err != nil {
			t.Errorf("parseRemote(%q): %v", tc.repo, err)
			continue
		}
		readable, hash, _ := cutLast(got.slug, "-")
		if len(hash) != 8 || hash != slugFor(got.key)[len(slugFor(got.key))-8:] {
			t.Errorf("parseRemote(%q).slug = %q, want 8 hex digits of the key's sha256 at the end", tc.repo, got.slug)
		}
		got.slug = readable
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(remote{}, url.Userinfo{})); diff != "" {
			t.Errorf("parseRemote(%q) (-want +got):\n%s", tc.repo, diff)
		}
	}
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func TestRewriteGitHub(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want  string
		rewritten bool
	}{
		{"git://github.com/docker-library/golang.git", "https://github.com/docker-library/golang.git", true},
		{"git://example.com/r.git", "git://example.com/r.git", false},
		{"https://github.com/docker-library/golang.git", "https://github.com/docker-library/golang.git", false},
	} {
		got, rewritten := rewriteGitHub(tc.in)
		if got != tc.want || rewritten != tc.rewritten {
			t.Errorf("rewriteGitHub(%q) = %q, %v; want %q, %v", tc.in, got, rewritten, tc.want, tc.rewritten)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		dir  string
		opts []Option
		want string
	}{
		{"empty dir", "", nil, "empty cache directory"},
		{"zero timeout", dir, []Option{WithFetchTimeout(0)}, "is not positive"},
		{"negative failure TTL", dir, []Option{WithFailureTTL(-time.Second)}, "WithFailureTTL: -1s is negative"},
		{"empty git", dir, []Option{WithGit("")}, "WithGit: empty path"},
		{"nil logger", dir, []Option{WithLogger(nil)}, "nil logger"},
		{"missing git", dir, []Option{WithGit("no-such-git-binary")}, `git binary "no-such-git-binary"`},
	} {
		if _, err := Open(tc.dir, tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Open = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
