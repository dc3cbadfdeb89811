package check

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/registrytest"
	"github.com/brewkit/brewkit/builder/remotearches"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/check"
)

// gitRepo is a git repository made for a test.
type gitRepo struct {
	t   testing.TB
	dir string
}

func newGitRepo(t testing.TB) *gitRepo {
	t.Helper()
	g := &gitRepo{t: t, dir: t.TempDir()}
	g.git("init", "-q", "-b", "main")
	return g
}

func (g *gitRepo) git(args ...string) string {
	g.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", g.dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+g.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (name: content) and commits them, returning the id.
func (g *gitRepo) commit(files map[string]string) string {
	g.t.Helper()
	for name, content := range files {
		p := filepath.Join(g.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			g.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
	g.git("add", "-A")
	g.git("commit", "-q", "-m", "c")
	return g.git("rev-parse", "HEAD")
}

// binary is n bytes that git takes for binary, with a mark so that
// versions differ.
func binary(n int, mark byte) string {
	b := bytes.Repeat([]byte{0, mark}, n/2)
	return string(b)
}

// fixture is a source repository, a library, .external-pins, and an
// in-process registry standing in for Docker Hub as DOCKERHUB_PUBLIC_PROXY
// (proxy, holding fixture/y:1 for amd64 and arm64v8, pinned at y) and
// another for Docker Hub itself (hub, empty). fixture/down:2 and
// fixture/gone:3 are pinned at a digest neither has (missing).
type fixture struct {
	src                        *gitRepo
	c1, c2, side, offBranch    string
	library, pins, cache, base string
	proxy, hub                 string
	y, missing                 string
}

const maint = "Maintainers: A B (@ab)\n"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{src: newGitRepo(t)}
	f.c1 = f.src.commit(map[string]string{
		"scratch/Dockerfile": "FROM scratch\n",
		"deb/Dockerfile":     "FROM debian:bookworm\nRUN true\n",
		"win/Dockerfile":     "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
		"ext/Dockerfile":     "FROM fixture/y:1 AS b\nFROM debian:bookworm\nCOPY --from=b /x /x\n",
		"down/Dockerfile":    "FROM fixture/down:2\n",
		"gone/Dockerfile":    "FROM fixture/gone:3\n",
		"nope/Dockerfile":    "FROM unknown-image:1\n",
		"bad/Dockerfile":     "FROM\n",
		"rootfs.tar.xz":      binary(3<<20+10, 1),
	})
	f.c2 = f.src.commit(map[string]string{"rootfs.tar.xz": binary(3<<20+10, 2)}) // modifies a 3 MiB tarball
	f.side = f.src.commit(map[string]string{"small.tar": binary(100, 3)})
	f.src.git("checkout", "-q", "-b", "other", f.c1)
	f.offBranch = f.src.commit(map[string]string{"other": "x"})
	f.src.git("checkout", "-q", "main")

	oi := t.TempDir()
	f.library, f.pins, f.cache = filepath.Join(oi, "library"), filepath.Join(oi, ".external-pins"), t.TempDir()
	f.base = fmt.Sprintf("GitRepo: %s\nGitCommit: %s\nGitFetch: refs/heads/main\n", f.src.dir, f.side)
	write(t, filepath.Join(f.library, "debian"), maint+f.base+"\nTags: bookworm, latest\nArchitectures: amd64, arm64v8\nDirectory: scratch\n")
	f.proxy, f.hub = registrytest.Serve(t), registrytest.Serve(t)
	y, err := registrytest.Push(t.Context(), f.proxy+"/fixture/y:1", []string{"amd64", "arm64v8"})
	if err != nil {
		t.Fatal(err)
	}
	missing, err := registrytest.Image("not pushed", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	m, err := missing.Digest()
	if err != nil {
		t.Fatal(err)
	}
	f.y, f.missing = y.String(), m.String()
	write(t, registrytest.PinFile(f.pins, "fixture/y:1"), f.y+"\n")
	write(t, registrytest.PinFile(f.pins, "fixture/down:2"), f.missing+"\n")
	write(t, registrytest.PinFile(f.pins, "fixture/gone:3"), f.missing+"\n")
	return f
}

// resolver looks images up through the fixture's proxy, then its Docker
// Hub, or a Docker Hub that cannot be reached.
func (f *fixture) resolver(t *testing.T, hubDown bool) *remotearches.Resolver {
	t.Helper()
	hub := f.hub
	if hubDown {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		hub = l.Addr().String()
		l.Close()
	}
	r, err := remotearches.New(remotearches.WithDockerHubProxy("http://"+f.proxy),
		remotearches.WithRemote(remote.WithTransport(registrytest.DockerHub(hub)), remote.WithRetryBackoff(remote.Backoff{Steps: 1})))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func write(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run checks library file foo (text) with every rule, looking images up
// with arches.
func (f *fixture) run(t *testing.T, text string, arches *remotearches.Resolver) *check.Report {
	t.Helper()
	write(t, filepath.Join(f.library, "foo"), text)
	cache, err := gitsource.Open(f.cache)
	if err != nil {
		t.Fatal(err)
	}
	loader := &manifest.Loader{Library: f.library}
	c, err := New(cache, loader, WithPins(f.pins), WithRemoteArches(arches))
	if err != nil {
		t.Fatal(err)
	}
	r, err := loader.Load(context.Background(), "foo")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Run(context.Background(), []*manifest.Repo{r}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// want is a finding or skip: its rule, line, tag, arch and a part of its message.
type want struct {
	rule      check.Rule
	line      int
	tag, arch string
	msg       string
}

func TestRun(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name     string
		text     string // after the global paragraph
		findings []want
		skips    []want
		failed   int
		hubDown  bool // Docker Hub cannot be reached
	}{
		{name: "clean", text: "\nTags: 1\nArchitectures: amd64, arm64v8\nDirectory: deb\n"},
		{name: "from not built for arch", text: "\nTags: 1\nArchitectures: amd64, s390x\nDirectory: deb\n", failed: 1,
			findings: []want{{check.RuleFrom, 7, "foo:1", "s390x", "FROM debian:bookworm is not built for s390x"}}},
		{name: "latest and shared tags", text: "\nTags: 1, 1-latest\nSharedTags: s\nDirectory: deb\n\nTags: 2\nSharedTags: s\nDirectory: scratch\n", failed: 2,
			findings: []want{
				{check.RuleLatestTag, 6, "foo:1-latest", "", `tag "1-latest" contains "latest"`},
				{check.RuleSharedTags, 11, "foo:s", "amd64", `shared tag "s" gets amd64 from 2 entries`},
			}},
		{name: "external pinned, arch missing", text: "\nTags: 1\nArchitectures: amd64, s390x\nDirectory: ext\n", failed: 1,
			findings: []want{
				{check.RuleFrom, 7, "foo:1", "s390x", "FROM debian:bookworm is not built for s390x"},
				{check.RuleFrom, 7, "foo:1", "s390x", fmt.Sprintf("FROM fixture/y:1 is pinned (.external-pins) at %s, which has no s390x image (it has amd64, arm64v8)", f.y)},
			}},
		{name: "external unreachable", text: "\nTags: 1\nDirectory: down\n", hubDown: true,
			skips: []want{{check.RuleFrom, 6, "foo:1", "amd64", fmt.Sprintf("FROM fixture/down:2: cannot learn the architectures of the pinned fixture/down:2@%s: unreachable: ", f.missing)}}},
		{name: "external pinned at a digest its registry lacks", text: "\nTags: 1\nDirectory: gone\n", failed: 1,
			findings: []want{{check.RuleFrom, 6, "foo:1", "amd64", fmt.Sprintf("FROM fixture/gone:3 is pinned (.external-pins) at %s, which cannot be looked up (", f.missing)}}},
		{name: "unknown and broken", text: "\nTags: 1\nDirectory: nope\n\nTags: 2\nDirectory: bad\n", failed: 1,
			findings: []want{
				{check.RuleFrom, 6, "foo:1", "amd64", "FROM unknown-image:1 is neither a tag of an official image nor an external image"},
				{check.RuleFrom, 3, "foo:2", "amd64", "cannot read the FROMs of the Dockerfile: bad/Dockerfile"},
			},
			skips: []want{{check.RuleConstraints, 3, "foo:2", "amd64", "cannot read the FROMs of the Dockerfile (see the from rule)"}}},
		{name: "windows constraints", text: "\nTags: 1\nArchitectures: windows-amd64\nDirectory: win\nConstraints: nanoserver-1809\n", failed: 2,
			findings: []want{
				{check.RuleFrom, 7, "foo:1", "windows-amd64", "FROM mcr.microsoft.com/windows/servercore:ltsc2022 is an external image with no pin"},
				{check.RuleConstraints, 9, "foo:1", "windows-amd64", `missing constraint "windowsservercore-ltsc2022", which FROM mcr.microsoft.com/windows/servercore:ltsc2022 needs`},
				{check.RuleConstraints, 9, "foo:1", "windows-amd64", `extra constraint "nanoserver-1809"`},
			}},
		{name: "commit off GitFetch", text: fmt.Sprintf("\nTags: 1\nDirectory: deb\nGitCommit: %s\n", f.offBranch), failed: 1,
			findings: []want{{check.RuleCommits, 8, "foo:1", "amd64", fmt.Sprintf("GitCommit %s is not in the history of GitFetch refs/heads/main (at %s)", f.offBranch, f.side)}}},
		{name: "no such GitFetch", text: "\nTags: 1\nDirectory: deb\nGitFetch: refs/heads/gone\n", failed: 1,
			findings: []want{{check.RuleCommits, 8, "foo:1", "amd64", "unable to fetch GitFetch refs/heads/gone"}}},
		{name: "big binary modified", text: fmt.Sprintf("\nTags: 1\nDirectory: deb\nGitCommit: %s\n", f.c2), failed: 1,
			findings: []want{{check.RuleCommits, 8, "foo:1", "amd64", fmt.Sprintf("GitCommit %s modifies the binary file rootfs.tar.xz (3 MB, more than 2 MB)", f.c2)}}},
		{name: "big binary in history", text: "\nTags: 1\nDirectory: deb\n", failed: 1,
			findings: []want{{check.RuleCommits, 3, "foo:1", "amd64", fmt.Sprintf("commit %s (in the history of GitCommit %s) modifies the binary file rootfs.tar.xz", f.c2, f.side)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := maint + fmt.Sprintf("GitRepo: %s\nGitCommit: %s\nGitFetch: refs/heads/main\n", f.src.dir, f.c1) + tc.text
			if strings.Contains(tc.name, "history") {
				text = maint + f.base + tc.text
			}
			rep := f.run(t, text, f.resolver(t, tc.hubDown))
			var got []want
			for _, x := range rep.Findings {
				if x.File != filepath.Join(f.library, "foo") {
					t.Errorf("file %q", x.File)
				}
				got = append(got, want{x.Rule, x.Line, x.Tag, x.Arch, x.Message})
			}
			match(t, "findings", got, tc.findings)
			got = nil
			for _, x := range rep.Skipped {
				got = append(got, want{x.Rule, x.Line, x.Tag, x.Arch, x.Reason})
			}
			match(t, "skips", got, tc.skips)
			if n := len(rep.Failed()); n != tc.failed {
				t.Errorf("failed rules %v; want %d", rep.Failed(), tc.failed)
			}
		})
	}
}

func match(t *testing.T, what string, got, want []want) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		w, g := want[i], got[i]
		ok = w.rule == g.rule && w.line == g.line && w.tag == g.tag && w.arch == g.arch && strings.Contains(g.msg, w.msg)
	}
	if !ok {
		var b strings.Builder
		for _, g := range got {
			fmt.Fprintf(&b, "\n  %s %d %s [%s] %s", g.rule, g.line, g.tag, g.arch, g.msg)
		}
		t.Errorf("%s:%s\nwant %v", what, b.String(), want)
	}
}

func TestChangedRepos(t *testing.T) {
	g := newGitRepo(t)
	base := g.commit(map[string]string{"library/a": "a", "library/b": "b", "library/c": "c", "README": "r"})
	g.git("rm", "-q", "library/c")
	g.commit(map[string]string{"library/b": "b2", "library/d": "d", "README": "r2"})
	got, err := ChangedRepos(context.Background(), filepath.Join(g.dir, "library"), base)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "b d" {
		t.Errorf("ChangedRepos = %q; want b d (c deleted, README outside)", got)
	}
	if _, err := ChangedRepos(context.Background(), filepath.Join(g.dir, "library"), "--output=x"); err == nil {
		t.Error("an option as REF: no error")
	}
}
