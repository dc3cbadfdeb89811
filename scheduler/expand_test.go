package scheduler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/manifest"
)

// realLibrary parses the official-images snapshot in ../shared, or skips.
func realLibrary(tb testing.TB) []*manifest.Repo {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "official-images", "library")
	files, err := os.ReadDir(dir)
	if err != nil {
		tb.Skipf("no official-images snapshot: %v", err)
	}
	repos := make([]*manifest.Repo, 0, len(files))
	for _, f := range files {
		name := filepath.Join(dir, f.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		m, err := manifest.ParseString(name, string(data))
		if err != nil {
			tb.Fatal(err)
		}
		repos = append(repos, &manifest.Repo{File: name, RepoName: f.Name(), Manifest: m})
	}
	return repos
}

// The numbers of the reference notes (official-images @ 37079fb): 7,935
// entry x arch jobs, 7,917 distinct by (arch, repo, commit, directory,
// file, builder as written). brewkit merges further: the same source in
// two repositories, or with Builder "buildkit" and with none, is one build.
func TestExpandRealLibrary(t *testing.T) {
	repos := realLibrary(t)
	reference, same := map[string]bool{}, map[string]bool{}
	entries := 0
	for _, r := range repos {
		for _, e := range r.Entries() {
			for _, a := range e.Architectures {
				entries++
				reference[strings.Join([]string{a, r.RepoName, e.ArchGitCommit(a), e.ArchDirectory(a), e.ArchFile(a), e.ArchBuilder(a)}, "|")] = true
				b, _ := NormalizeBuilder(e.ArchBuilder(a), a)
				same[strings.Join([]string{a, b, e.ArchGitRepo(a), e.ArchGitCommit(a), e.ArchDirectory(a), e.ArchFile(a)}, "|")] = true
			}
		}
	}
	if entries != 7935 || len(reference) != 7917 {
		t.Fatalf("the snapshot has %d entry x arch jobs, %d distinct by the reference's key; want 7935 and 7917", entries, len(reference))
	}
	p := Expand(repos, Options{})
	origins := 0
	for _, j := range p.Jobs {
		origins += len(j.Origins)
	}
	if origins != entries || len(p.Jobs) != len(same) {
		t.Errorf("%d entry x arch jobs merged into %d jobs, want %d into %d", origins, len(p.Jobs), entries, len(same))
	}
}

// BenchmarkParseAndExpandRealLibrary is parsing every file of the snapshot
// and expanding it into jobs, what `brewkit plan` does before touching git.
func BenchmarkParseAndExpandRealLibrary(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "conformance", "official-images", "library")
	files, err := os.ReadDir(dir)
	if err != nil {
		b.Skipf("no official-images snapshot: %v", err)
	}
	texts := map[string]string{}
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		texts[f.Name()] = string(data)
	}
	for b.Loop() {
		repos := make([]*manifest.Repo, 0, len(texts))
		for name, text := range texts {
			m, err := manifest.ParseString(name, text)
			if err != nil {
				b.Fatal(err)
			}
			repos = append(repos, &manifest.Repo{File: name, RepoName: name, Manifest: m})
		}
		if p := Expand(repos, Options{}); len(p.Jobs) == 0 {
			b.Fatal("no jobs")
		}
	}
}
