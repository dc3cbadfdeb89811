package gitsource

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/sourcetest"
)

// pathServer serves the repository of a fixture over git's dumb HTTP
// protocol at /repo.git and records the paths asked for.
type pathServer struct {
	url    string // of the repository
	gitDir string
	mu     sync.Mutex
	paths  []string
}

func newPathServer(t *testing.T, f *fixture) *pathServer {
	t.Helper()
	s := &pathServer{gitDir: filepath.Join(f.dir, ".git")}
	s.update(t)
	files := http.StripPrefix("/repo.git/", http.FileServer(http.Dir(s.gitDir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL + "/repo.git"
	return s
}

// update refreshes the files a dumb HTTP client reads the refs from, as a
// server's post-update hook would after a push.
func (s *pathServer) update(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("git", "--git-dir="+s.gitDir, "update-server-info").CombinedOutput(); err != nil {
		t.Fatalf("git update-server-info: %v: %s", err, out)
	}
}

// take returns the paths asked for since the last take.
func (s *pathServer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.paths
	s.paths = nil
	return p
}

// isObjectPath reports whether a dumb HTTP client asked for objects: a
// loose object, a pack or the list of packs.
func isObjectPath(p string) bool { return strings.Contains(p, "/objects/") }

// objectFiles lists the files under the objects directory of the cache's
// repository for repo.
func objectFiles(t *testing.T, c *Cache, repo string) []string {
	t.Helper()
	rem, err := parseRemote(repo)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	root := filepath.Join(c.runner(rem).gitDir, "objects")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, root))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func head(t *testing.T, c *Cache, repo, branch string) *Commit {
	t.Helper()
	commit, err := c.Head(context.Background(), repo, branch)
	if err != nil {
		t.Fatalf("Head(%s, %s): %v", repo, branch, err)
	}
	return commit
}

// Head follows the branch as it moves, with one git fetch a call; a call
// that finds the branch where it was transfers nothing.
func TestHeadMoves(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"local path", "file URL", "dumb HTTP"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.write("Dockerfile", "FROM scratch\n", 0o644)
			first := f.commit("one", date1, date1)
			var srv *pathServer
			repo := f.dir
			switch transport {
			case "file URL":
				repo = "file://" + f.dir
			case "dumb HTTP":
				srv = newPathServer(t, f)
				repo = srv.url
			}
			bin, fetches := countingGit(t, "0")
			c := openCache(t, WithGit(bin))

			checkHead(t, c, repo, first, "FROM scratch\n")
			if srv != nil {
				srv.take()
			}
			f.write("Dockerfile", "FROM busybox\n", 0o644)
			second := f.commit("two", date1, date2)
			if srv != nil {
				srv.update(t)
			}
			objects := objectFiles(t, c, repo)
			checkHead(t, c, repo, second, "FROM busybox\n")
			if got := objectFiles(t, c, repo); slices.Equal(got, objects) {
				t.Errorf("the objects of the cache did not change when the branch moved: %v", got)
			}

			objects = objectFiles(t, c, repo)
			if srv != nil && !slices.ContainsFunc(srv.take(), isObjectPath) {
				t.Error("the fetch of a branch that moved asked the server for no object")
			}
			checkHead(t, c, repo, second, "FROM busybox\n")
			if got := objectFiles(t, c, repo); !slices.Equal(got, objects) {
				t.Errorf("a fetch of a branch that had not moved changed the objects:\nbefore %v\nafter  %v", objects, got)
			}
			if srv != nil {
				paths := srv.take()
				if len(paths) == 0 {
					t.Error("the server was not asked anything: Head did not fetch")
				}
				for _, p := range paths {
					if isObjectPath(p) {
						t.Errorf("a fetch of a branch that had not moved asked for %s", p)
					}
				}
			}
			if n := fetches(); n != 3 {
				t.Errorf("%d git fetches for 3 calls of Head, want 3", n)
			}
		})
	}
}

// checkHead calls Head and checks the commit it returns: its id, the
// Dockerfile it holds, its source and the ref that keeps it.
func checkHead(t *testing.T, c *Cache, repo, want, dockerfile string) {
	t.Helper()
	commit := head(t, c, repo, "main")
	if commit.ID() != want {
		t.Fatalf("Head = %s, want %s", commit.ID(), want)
	}
	if got := commit.Source(); got != (Source{Repo: repo, Fetch: "refs/heads/main", Commit: want}) {
		t.Errorf("Source() = %+v", got)
	}
	got, err := commit.ReadFile(context.Background(), "Dockerfile", 1<<20)
	if err != nil || string(got) != dockerfile {
		t.Errorf("ReadFile(Dockerfile) = %q, %v; want %q", got, err, dockerfile)
	}
	if ref := cacheGit(t, c, repo, "rev-parse", fetchRefPrefix+"heads/main"); ref != want {
		t.Errorf("%sheads/main = %s, want %s", fetchRefPrefix, ref, want)
	}
}

// A branch the repository does not have is a *BranchNotFoundError naming
// the repository and the branch; the repository answered, so nothing is
// remembered against it.
func TestHeadUnknownBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	srv := newPathServer(t, f)
	for _, repo := range []string{f.dir, srv.url} {
		c := openCache(t)
		_, err := c.Head(context.Background(), repo, "nope")
		bnf := (*BranchNotFoundError)(nil)
		if !errors.As(err, &bnf) || bnf.Repo != repo || bnf.Branch != "nope" {
			t.Fatalf("Head(%s, nope) = %v, want a *BranchNotFoundError", repo, err)
		}
		want := `branch "nope" is not in ` + repo + " (git: couldn't find remote ref refs/heads/nope)"
		if err.Error() != want {
			t.Errorf("err = %q\nwant %q", err, want)
		}
		if got := head(t, c, repo, "main").ID(); got != id {
			t.Errorf("Head(main) after the unknown branch = %s, want %s", got, id)
		}
	}
}

// A repository that cannot be fetched from is a *FetchError, remembered:
// the next Head within the TTL repeats it without fetching; after the TTL,
// Head fetches again.
func TestHeadUnreachable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	down := newSwitchServer(t, f)
	down.down.Store(true)
	for _, tc := range []struct{ name, repo, reason string }{
		{"not a repository", filepath.Join(t.TempDir(), "no-such-repo"), "does not appear to be a git repository"},
		{"server down", down.url, "503"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin, fetches := countingGit(t, "0")
			c := openCache(t, WithGit(bin))
			clock := &fakeClock{}
			c.failed.now = clock.now
			_, err := c.Head(context.Background(), tc.repo, "main")
			fe := (*FetchError)(nil)
			if !errors.As(err, &fe) || fe.Repo != tc.repo || fe.Repeat || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want a *FetchError of %s saying %q", err, tc.repo, tc.reason)
			}
			_, err = c.Head(context.Background(), tc.repo, "main")
			if !errors.As(err, &fe) || !fe.Repeat {
				t.Errorf("second Head: err = %v, want a repeat", err)
			}
			_, err = c.Ensure(context.Background(), Source{Repo: tc.repo, Commit: id})
			if !errors.As(err, &fe) || !fe.Repeat {
				t.Errorf("Ensure after Head failed: err = %v, want a repeat", err)
			}
			if n := fetches(); n != 1 {
				t.Errorf("%d fetches, want 1", n)
			}
			clock.advance(time.Minute)
			if _, err = c.Head(context.Background(), tc.repo, "main"); !errors.As(err, &fe) || fe.Repeat {
				t.Errorf("Head after the TTL: err = %v, want a new *FetchError", err)
			}
			if n := fetches(); n != 2 {
				t.Errorf("%d fetches after the TTL, want 2", n)
			}
		})
	}
}

// A caller that gives up stops the fetch; that is not the repository's
// failure, and the next Head fetches.
func TestHeadCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	bin, fetches := countingGit(t, "0.3")
	c := openCache(t, WithGit(bin))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Head(ctx, f.dir, "main")
	if fe := (*FetchError)(nil); !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &fe) {
		t.Fatalf("err = %v, want context.DeadlineExceeded and no *FetchError", err)
	}
	before := fetches()
	if got := head(t, c, f.dir, "main").ID(); got != id {
		t.Errorf("Head after a cancelled one = %s, want %s", got, id)
	}
	if n := fetches(); n != before+1 {
		t.Errorf("Head after a cancelled one ran %d fetches, want 1", n-before)
	}
}

func TestHeadInvalid(t *testing.T) {
	t.Parallel()
	c := openCache(t)
	for _, tc := range []struct{ name, repo, branch, want string }{
		{"empty branch", "/r", "", `branch "": want a branch name`},
		{"ref as branch", "/r", "refs/heads/", `branch "refs/heads/"`},
		{"refspec", "/r", "main:evil", `branch "main:evil"`},
		{"glob", "/r", "*", `branch "*"`},
		{"dots", "/r", "a/../b", `branch "a/../b"`},
		{"space", "/r", "a b", `branch "a b"`},
		{"empty repo", "", "main", "empty GitRepo"},
		{"option repo", "--upload-pack=touch /tmp/x", "main", `must not start with "-"`},
		{"remote helper", "ext::sh -c touch% /tmp/pwned", "main", "remote-helper syntax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Head(context.Background(), tc.repo, tc.branch)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Head(%q, %q) = %v, want an error containing %q", tc.repo, tc.branch, err, tc.want)
			}
		})
	}
}

// Head and Ensure of one repository at once, from Caches sharing a
// directory, in a repository not yet created: the flock serializes them,
// every call gets the commit and the repository is intact.
func TestHeadConcurrent(t *testing.T) {
	t.Parallel()
	src := concurrencyFixture(t)
	dir := filepath.Join(t.TempDir(), "cache")
	ids := make([]string, 8)
	var g errgroup.Group
	for i := range ids {
		g.Go(func() error {
			c, err := Open(dir)
			if err != nil {
				return err
			}
			var commit *Commit
			if i%2 == 0 {
				commit, err = c.Head(context.Background(), src.Repo, "main")
			} else {
				commit, err = c.Ensure(context.Background(), src)
			}
			if err != nil {
				return err
			}
			ids[i] = commit.ID()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id != src.Commit {
			t.Errorf("call %d: commit %s, want %s", i, id, src.Commit)
		}
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cacheGit(t, c, src.Repo, "fsck", "--full", "--strict")
}

// Head gives a GitRepo's credential to git as Ensure does: through the
// credential helper, never on git's command line or in an error.
func TestHeadCredential(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-T0KEN"
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	host := strings.TrimPrefix(sourcetest.ServeHTTP(t, f.dir, "robot", token), "http://")
	bin, argsLog := argsLoggingGit(t)
	c := openCache(t, WithGit(bin))
	if got := head(t, c, "http://robot:"+token+"@"+host+"/repo.git", "main"); got.ID() != id || got.String() != "http://"+host+"/repo.git@"+id {
		t.Errorf("Head = %s, want http://%s/repo.git@%s", got, host, id)
	}
	_, err := c.Head(context.Background(), "http://robot:wrong-"+token+"@"+host+"/repo.git", "main")
	if fe := (*FetchError)(nil); !errors.As(err, &fe) {
		t.Fatalf("Head with a wrong credential: err = %v, want a *FetchError", err)
	}
	args, rerr := os.ReadFile(argsLog)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if !strings.Contains(string(args), "fetch") {
		t.Errorf("the wrapper logged no fetch: %s", args)
	}
	for what, text := range map[string]string{"git's arguments": string(args), "the error": err.Error()} {
		if strings.Contains(text, token) {
			t.Errorf("%s carries the credential:\n%s", what, text)
		}
	}
}
