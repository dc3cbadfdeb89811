package gitsource

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// switchServer serves the repository of a fixture over git's dumb HTTP
// protocol at /repo.git and counts the requests; while down, it answers
// every request with 503.
type switchServer struct {
	url  string // of the repository
	hits atomic.Int64
	down atomic.Bool
}

func newSwitchServer(t *testing.T, f *fixture) *switchServer {
	t.Helper()
	gitDir := filepath.Join(f.dir, ".git")
	if out, err := exec.Command("git", "--git-dir="+gitDir, "update-server-info").CombinedOutput(); err != nil {
		t.Fatalf("git update-server-info: %v: %s", err, out)
	}
	s := &switchServer{}
	files := http.StripPrefix("/repo.git/", http.FileServer(http.Dir(gitDir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL + "/repo.git"
	return s
}

// fakeClock is a clock for a Cache's failure memory that moves only when
// told to.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// A repository that stops answering fails one fetch: the jobs that need
// it then, concurrently or later, fail at once with a repeat of that
// error, and fetch nothing; a commit already in the cache is still
// served; after the TTL, the next Ensure fetches again.
func TestEnsureRemembersFailedFetch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var ids []string
	for i := range 9 {
		f.write("Dockerfile", fmt.Sprintf("FROM scratch\nLABEL n=%d\n", i), 0o644)
		ids = append(ids, f.commit(fmt.Sprint(i), date1, date1))
	}
	srv := newSwitchServer(t, f)
	bin, fetches := countingGit(t, "0")
	c := openCache(t, WithGit(bin))
	clock := &fakeClock{}
	c.failed.now = clock.now
	src := func(id string) Source { return Source{Repo: srv.url, Fetch: "refs/heads/main", Commit: id} }
	ensure(t, c, src(ids[0]))

	srv.down.Store(true)
	errs := make([]error, len(ids)-1)
	var g errgroup.Group
	for i := range errs {
		g.Go(func() error {
			_, errs[i] = c.Ensure(context.Background(), src(ids[i+1]))
			return nil
		})
	}
	g.Wait()
	firsts := 0
	for i, err := range errs {
		fe := (*FetchError)(nil)
		if !errors.As(err, &fe) || fe.Repo != srv.url || !strings.Contains(err.Error(), "503") {
			t.Fatalf("job %d: err = %v, want a *FetchError of %s saying 503", i, err, srv.url)
		}
		if !fe.Repeat {
			firsts++
		} else if want := "fetching " + srv.url + " (not retried: it failed less than 1m0s ago): "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("job %d: repeat %q, want it to start %q", i, err, want)
		}
	}
	if firsts != 1 {
		t.Errorf("%d of %d jobs fetched; want 1, the others failing with its error", firsts, len(errs))
	}
	// One attempt, by commit id: the server did not answer, so GitFetch
	// is not tried either.
	hits, attempt := srv.hits.Load(), fetches()
	if attempt != 1+1 {
		t.Errorf("%d git fetches, want 1 while up and 1 for %d jobs while down", attempt, len(errs))
	}

	ensure(t, c, src(ids[0])) // present: served, the repository's failure notwithstanding
	clock.advance(time.Minute - time.Nanosecond)
	if _, err := c.Ensure(context.Background(), src(ids[1])); err == nil || !strings.Contains(err.Error(), "not retried") {
		t.Errorf("Ensure just within the TTL: err = %v, want a repeat", err)
	}
	if srv.hits.Load() != hits || fetches() != attempt {
		t.Errorf("within the TTL: %d requests and %d fetches, want %d and %d", srv.hits.Load(), fetches(), hits, attempt)
	}

	srv.down.Store(false)
	clock.advance(time.Nanosecond)
	ensure(t, c, src(ids[1])) // the TTL is over: fetched
	if fetches() == attempt || srv.hits.Load() == hits {
		t.Errorf("after the TTL: %d fetches, %d requests, want more than %d, %d", fetches(), srv.hits.Load(), attempt, hits)
	}
}

// With WithFailureTTL(0), every Ensure fetches.
func TestEnsureFailureTTLZero(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.commit("one", date1, date1)
	srv := newSwitchServer(t, f)
	srv.down.Store(true)
	bin, fetches := countingGit(t, "0")
	c := openCache(t, WithGit(bin), WithFailureTTL(0))
	for i := range 3 {
		_, err := c.Ensure(context.Background(), Source{Repo: srv.url, Fetch: "refs/heads/main", Commit: id})
		if fe := (*FetchError)(nil); !errors.As(err, &fe) || fe.Repeat {
			t.Errorf("Ensure %d: err = %v, want a *FetchError, not a repeat", i, err)
		}
	}
	if n := fetches(); n != 3 {
		t.Errorf("%d fetches, want 3: one for each Ensure", n)
	}
}

// silentServer accepts TCP connections and never answers. It returns its
// host:port and the number of connections accepted so far.
func silentServer(t *testing.T) (addr string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// A server that accepts and never answers fails the fetch after the
// timeout, with one error naming the repository (without its password)
// and the timeout; the next Ensure does not connect again.
func TestEnsureSilentServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, repo, shown string // repo's %s is the server's host:port
	}{
		{"http", "http://%s/repo.git", "http://%s/repo.git"},
		{"http with a password", "http://robot:s3cr3t@%s/repo.git", "http://%s/repo.git"},
		{"git", "git://%s/repo.git", "git://%s/repo.git"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, accepted := silentServer(t)
			c := openCache(t, WithFetchTimeout(300*time.Millisecond))
			repo, shown := fmt.Sprintf(tc.repo, addr), fmt.Sprintf(tc.shown, addr)
			_, err := c.Ensure(context.Background(), Source{Repo: repo, Fetch: "refs/heads/main", Commit: strings.Repeat("1", 40)})
			want := "fetching " + shown + ": timed out after 300ms"
			fe := (*FetchError)(nil)
			if !errors.As(err, &fe) || fe.Repeat || err.Error() != want || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want a *FetchError %q wrapping context.DeadlineExceeded", err, want)
			}
			n := accepted()
			if n == 0 {
				t.Fatal("git never connected")
			}
			_, err = c.Ensure(context.Background(), Source{Repo: repo, Fetch: "refs/heads/main", Commit: strings.Repeat("2", 40)})
			if !errors.As(err, &fe) || !fe.Repeat || !strings.HasSuffix(err.Error(), ": timed out after 300ms") {
				t.Errorf("second Ensure: err = %v, want a repeat of the timeout", err)
			}
			if accepted() != n {
				t.Errorf("the second Ensure connected again (%d connections, want %d)", accepted(), n)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1_700_000_000, 0)
	fe := &FetchError{Repo: "https://example.com/r.git", Err: errors.New("fatal: unable to access")}
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		at   time.Duration // after the failure
		want bool          // a repeat
	}{
		{"just after", time.Minute, 0, true},
		{"just within the TTL", time.Minute, time.Minute - time.Nanosecond, true},
		{"at the TTL", time.Minute, time.Minute, false},
		{"long after", time.Minute, time.Hour, false},
		{"no memory", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			f := newFailures(tc.ttl)
			f.now = func() time.Time { return now }
			f.add("k", fe)
			now = now.Add(tc.at)
			got := f.recent("k")
			if (got != nil) != tc.want {
				t.Fatalf("recent = %v, want a repeat: %v", got, tc.want)
			}
			if got != nil && (!got.Repeat || got.Repo != fe.Repo || got.Err != fe.Err || fe.Repeat) {
				t.Errorf("recent = %+v, want a copy of %+v with Repeat set", got, fe)
			}
			if !tc.want && len(f.m) != 0 {
				t.Errorf("%d failures kept, want the expired one forgotten", len(f.m))
			}
		})
	}
}

// The memory is bounded: past maxFailures repositories, it forgets the
// expired failures, else the oldest.
func TestFailuresBounded(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	f := newFailures(time.Hour)
	f.now = func() time.Time { return now }
	fe := &FetchError{Repo: "r", Err: errors.New("down")}
	for i := range maxFailures + 10 {
		now = now.Add(time.Second)
		f.add(fmt.Sprint(i), fe)
	}
	if len(f.m) != maxFailures {
		t.Errorf("%d failures kept, want %d", len(f.m), maxFailures)
	}
	for key, want := range map[string]bool{"0": false, "9": false, "10": true, fmt.Sprint(maxFailures + 9): true} {
		if got := f.recent(key) != nil; got != want {
			t.Errorf("failure %s remembered: %v, want %v", key, got, want)
		}
	}
	now = now.Add(time.Hour - 5*time.Second) // the newest 5 are within the TTL
	f.add("new", fe)
	if len(f.m) != 5+1 {
		t.Errorf("%d failures kept after the others expired, want 6", len(f.m))
	}
}

// unanswered tells a repository that did not answer (GitFetch would fail
// the same way) from one that refused the commit, by git's messages.
func TestUnanswered(t *testing.T) {
	t.Parallel()
	timeout := &timeoutError{after: time.Second, err: fmt.Errorf("git fetch: %w", context.DeadlineExceeded)}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"timeout", timeout, true},
		{"no host", errors.New("git fetch …: exit status 128: fatal: unable to access 'https://example.invalid/r.git/': Could not resolve host: example.invalid"), true},
		{"HTTP error", errors.New("git fetch …: exit status 128: fatal: unable to access 'http://127.0.0.1:1/r.git/': The requested URL returned error: 503"), true},
		{"no repository over HTTP", errors.New("git fetch …: exit status 128: fatal: repository 'http://127.0.0.1:1/r.git/' not found"), true},
		{"git:// refused", errors.New("git fetch …: exit status 128: fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused"), true},
		{"no local repository", errors.New("git fetch …: exit status 128: fatal: '/r' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists."), true},
		{"not our ref", errors.New("git fetch …: exit status 128: fatal: remote error: upload-pack: not our ref 1111111111111111111111111111111111111111"), false},
		{"unadvertised object", errors.New("git fetch …: exit status 128: error: Server does not allow request for unadvertised object 1111111111111111111111111111111111111111"), false},
		{"no such ref", errors.New("git fetch …: exit status 128: fatal: couldn't find remote ref refs/heads/nope"), false},
	} {
		if got := unanswered(tc.err); got != tc.want {
			t.Errorf("%s: unanswered = %v, want %v", tc.name, got, tc.want)
		}
	}
}
