package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// largeManifest returns a library file with n entries shaped like real
// ones: several tags, a shared tag every tenth entry, per-arch overrides.
func largeManifest(n int) string {
	var sb strings.Builder
	sb.WriteString("Maintainers: Jane Doe <jane@example.com> (@jane),\n             John Roe <john@example.com> (@john)\n")
	sb.WriteString("GitRepo: https://github.com/example/docker-example.git\nGitCommit: " + commitA + "\n")
	sb.WriteString("arm64v8-GitFetch: refs/heads/dist-arm64v8\narm64v8-GitCommit: " + commitB + "\n")
	for i := range n {
		fmt.Fprintf(&sb, "\nTags: %d.0.1, %d.0, %d-bookworm, v%d\n", i, i, i, i)
		if i%10 == 0 {
			fmt.Fprintf(&sb, "SharedTags: shared-%d\n", i/10)
		}
		fmt.Fprintf(&sb, "Architectures: amd64, arm64v8, ppc64le, s390x\nDirectory: %d/bookworm\n", i)
	}
	return sb.String()
}

func TestLargeManifest(t *testing.T) {
	const n = 20000
	m, err := ParseString("library/large", largeManifest(n))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != n || m.GetTag(fmt.Sprintf("v%d", n-1)) != &m.Entries[n-1] {
		t.Fatalf("got %d entries", len(m.Entries))
	}
}

// BenchmarkParseLarge parses files of 10,000 to 200,000 entries; bashbrew's
// parser is quadratic in the number of entries (it scans every earlier entry
// for duplicate tags and mergeable sources), brewkit's is linear.
func BenchmarkParseLarge(b *testing.B) {
	for _, n := range []int{10000, 40000, 200000} {
		text := largeManifest(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := ParseString("library/large", text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseRealLibrary parses the official-images snapshot in
// ../shared (skipped when it is absent) and prints each file canonically.
func BenchmarkParseRealLibrary(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "conformance", "official-images", "library")
	files, err := os.ReadDir(dir)
	if err != nil {
		b.Skipf("no official-images snapshot: %v", err)
	}
	texts := make([]string, len(files))
	for i, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			b.Fatal(err)
		}
		texts[i] = string(data)
	}
	for b.Loop() {
		for _, text := range texts {
			m, err := ParseString("library", text)
			if err != nil {
				b.Fatal(err)
			}
			_ = m.String()
		}
	}
}
