package froms

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/manifest"
)

// BenchmarkSources reads what `brewkit from` needs of 20 entries of 4
// architectures, each with a build context of 50 files of 4 KiB, from a
// warm git cache, with a new Sources each time (as each run of brewkit
// has): "froms" reads the FROMs alone, as from, parents and children do;
// "info" reads them with the context's checksum, as from did before.
func BenchmarkSources(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("no git")
	}
	entries, cache := benchLibrary(b, 20, 50)
	arches := []string{"amd64", "arm64v8", "ppc64le", "s390x"}
	read := map[string]func(s *Sources, e *manifest.Entry, arch string) error{
		"froms": func(s *Sources, e *manifest.Entry, arch string) error {
			_, err := s.Froms(context.Background(), e, arch)
			return err
		},
		"info": func(s *Sources, e *manifest.Entry, arch string) error {
			_, err := s.Info(context.Background(), e, arch)
			return err
		},
	}
	for _, name := range []string{"froms", "info"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				s := New(cache)
				for _, e := range entries {
					for _, arch := range arches {
						if err := read[name](s, e, arch); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(entries)*len(arches)), "µs/entry-arch")
		})
	}
}

// benchLibrary commits n directories, each a Dockerfile and files files,
// and returns an entry of 4 architectures for each, and a git cache
// holding the commit.
func benchLibrary(b *testing.B, n, files int) ([]*manifest.Entry, *gitsource.Cache) {
	b.Helper()
	tree := map[string]any{}
	for d := range n {
		tree[fmt.Sprintf("d%d/Dockerfile", d)] = "ARG TARGETARCH\nFROM base:${TARGETARCH}\nCOPY . /src\n"
		for f := range files {
			tree[fmt.Sprintf("d%d/f%d", d, f)] = strings.Repeat(fmt.Sprintf("%d.%d ", d, f), 4096)[:4096]
		}
	}
	repo := sourcetest.NewRepo(b, filepath.Join(b.TempDir(), "repo"))
	commit := repo.CommitNodes(sourcetest.Files(tree)...)
	var text strings.Builder
	fmt.Fprintf(&text, "Maintainers: Bench <bench@example.com> (@bench)\nGitRepo: %s\nGitCommit: %s\nArchitectures: amd64, arm64v8, ppc64le, s390x\n", repo.Dir, commit)
	for d := range n {
		fmt.Fprintf(&text, "\nTags: %d\nDirectory: d%d\n", d, d)
	}
	m, err := manifest.ParseString("bench", text.String())
	if err != nil {
		b.Fatal(err)
	}
	cache, err := gitsource.Open(filepath.Join(b.TempDir(), "cache"))
	if err != nil {
		b.Fatal(err)
	}
	entries := make([]*manifest.Entry, len(m.Entries))
	for i := range m.Entries {
		entries[i] = &m.Entries[i]
	}
	if _, err := New(cache).Fetch(context.Background(), entries[0], "amd64"); err != nil {
		b.Fatal(err)
	}
	return entries, cache
}
