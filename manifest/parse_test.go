package manifest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
	global  = "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n"
)

// TestParseCanonical checks the quirks of the format through the canonical
// text that bashbrew cat prints.
func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{{
		name: "minimal",
		in:   global + "\nTags: 1.0, latest\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: 1.0, latest",
	}, {
		name: "comments anywhere, indented or inside a continuation",
		in:   "# top\nMaintainers: Jane Doe <jane@example.com> (@jane),\n   # not a maintainer\n  John Roe (@john)\n  # indented\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane), John Roe (@john)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a",
	}, {
		name: "tab continuation, trailing comma and dot line",
		in:   global + "\nTags: a,\n\tb,\n .\n  c\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a, b, c",
	}, {
		name: "CRLF line ends and many blank lines",
		in:   "\r\n\r\n" + strings.ReplaceAll(global, "\n", "\r\n") + "\r\n\r\n\r\nTags: a\r\nDirectory: x/\r\n\r\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\nDirectory: x",
	}, {
		name: "key split at the first colon and trimmed",
		in:   global + "\nTags : a\nGitRepo:   https://example.com/other.git  \n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\nGitRepo: https://example.com/other.git",
	}, {
		name: "Architectures replace, sorted and de-duplicated",
		in:   global + "Architectures: s390x, amd64\n\nTags: a\n\nTags: b\nArchitectures: ppc64le, arm64v8, ppc64le\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nArchitectures: amd64, s390x\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\n\nTags: b\nArchitectures: arm64v8, ppc64le",
	}, {
		name: "SharedTags replace and are de-duplicated",
		in:   global + "SharedTags: g\n\nTags: a\n\nTags: b\nSharedTags: s, s, t\nDirectory: b\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nSharedTags: g\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\n\nTags: b\nSharedTags: s, t\nDirectory: b",
	}, {
		name: "per-architecture fields, global ones inherited, sorted bytewise",
		in:   global + "arm64v8-GitCommit: " + commitB + "\n\nTags: a\nArchitectures: amd64, arm64v8, s390x\ns390x-Directory: ./s390x/\namd64-Directory: amd64\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\narm64v8-GitCommit: " + commitB + "\n\nTags: a\nArchitectures: amd64, arm64v8, s390x\namd64-Directory: amd64\ns390x-Directory: s390x",
	}, {
		name: "directories are path.Clean'ed",
		in:   global + "\nTags: a\nDirectory: ./1.5/\n\nTags: b\nDirectory: /../../etc\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a\nDirectory: 1.5\n\nTags: b\nDirectory: /etc",
	}, {
		name: "entries with the same build artifacts merge",
		in:   global + "\nTags: a\nSharedTags: s\n\nTags: b\nSharedTags: s, t\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a, b\nSharedTags: s, t",
	}, {
		name: "Maintainers and Constraints add to the global ones",
		in:   global + "Constraints: x\n\nTags: a\nMaintainers: John Roe (@john)\nConstraints: y\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\nConstraints: x\n\nMaintainers: Jane Doe <jane@example.com> (@jane), John Roe (@john)\nTags: a\nConstraints: x, y",
	}, {
		name: "the last of a repeated key wins",
		in:   global + "\nTags: a\nTags: b\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: b",
	}, {
		name: "all fields, oci-import and a SHA-256 commit",
		in:   global + "GitFetch: refs/tags/v1\n\nTags: a\nBuilder: oci-import\nFile: index.json\nGitCommit: " + strings.Repeat("ab", 32) + "\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitFetch: refs/tags/v1\nGitCommit: " + commitA + "\n\nTags: a\nGitCommit: " + strings.Repeat("ab", 32) + "\nFile: index.json\nBuilder: oci-import",
	}, {
		name: "a global paragraph alone is a valid file",
		in:   "Maintainers: Jane Doe (@jane)\n",
		want: "Maintainers: Jane Doe (@jane)",
	}, {
		name: "blank-only lines that separate nothing are continuations, as in bashbrew",
		in:   "  \n" + global + "\nTags: a, b\n   \n\nTags: c\nDirectory: c  \n \t\n",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a, b\n\nTags: c\nDirectory: c\n",
	}, {
		name: "no newline at the end",
		in:   global + "\nTags: a",
		want: "Maintainers: Jane Doe <jane@example.com> (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: " + commitA + "\n\nTags: a",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseString("library/test", tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, m.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAccessors(t *testing.T) {
	in := global + "amd64-Directory: amd\narm64v8-Builder: classic\n\nTags: a, b\nSharedTags: s\nArchitectures: amd64, arm64v8\narm64v8-GitRepo: https://example.com/arm.git\narm64v8-File: Dockerfile.arm\narm64v8-GitFetch: refs/heads/arm\n\nTags: c\nSharedTags: s\nDirectory: c\n"
	m, err := ParseString("library/test", in)
	if err != nil {
		t.Fatal(err)
	}
	a := m.GetTag("b")
	if a == nil || a.Tags[0] != "a" || a.Line() != 7 {
		t.Fatalf("GetTag(b) = %+v", a)
	}
	got := []string{
		a.ArchGitRepo("amd64"), a.ArchGitRepo("arm64v8"),
		a.ArchGitFetch("amd64"), a.ArchGitFetch("arm64v8"),
		a.ArchGitCommit("arm64v8"),
		a.ArchDirectory("amd64"), a.ArchDirectory("arm64v8"),
		a.ArchFile("amd64"), a.ArchFile("arm64v8"),
		a.ArchBuilder("amd64"), a.ArchBuilder("arm64v8"),
	}
	want := []string{
		"https://example.com/r.git", "https://example.com/arm.git",
		"refs/heads/master", "refs/heads/arm",
		commitA,
		"amd", ".",
		"Dockerfile", "Dockerfile.arm",
		"", "classic",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accessors (-want +got):\n%s", diff)
	}
	if m.GetTag("s") != nil || m.GetTag("nope") != nil {
		t.Error("GetTag found a shared or missing tag")
	}
	if n := len(m.GetSharedTag("s")); n != 2 {
		t.Errorf("GetSharedTag(s) = %d entries, want 2", n)
	}
}

func TestSharedTagGroups(t *testing.T) {
	// bashbrew's own example
	in := global + "\nTags: 1.6.1, 1.6, 1\nSharedTags: latest\n\nTags: 1.5.3, 1.5\nSharedTags: 1.5.3-debian, 1.5-debian\nDirectory: 1.5\n\nTags: 1.5-alpine\nSharedTags: latest\nDirectory: alpine\n\nTags: raspbian-s390x\nSharedTags: raspbian\nDirectory: r\n"
	m, err := ParseString("library/test", in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range m.GetSharedTagGroups() {
		var firsts []string
		for _, e := range g.Entries {
			firsts = append(firsts, e.Tags[0])
		}
		got = append(got, strings.Join(g.SharedTags, ",")+" -> "+strings.Join(firsts, ","))
	}
	want := []string{"latest -> 1.6.1,1.5-alpine", "1.5.3-debian,1.5-debian -> 1.5.3", "raspbian -> raspbian-s390x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestWarnings(t *testing.T) {
	in := global + "\nTags: a\ntags: b\nbogus-Directory: x\nTags: c\n"
	m, err := ParseString("library/test", in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range m.Warnings {
		got = append(got, w.Error())
	}
	want := []string{
		`library/test:5: field "Tags" is set again on line 8, which wins; this line is ignored`,
		`library/test:6: unknown field "tags" is ignored; field names are case-sensitive: ` + knownFields,
		`library/test:7: field "bogus-Directory" overrides an unknown architecture "bogus"; known: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, mips64le, ppc64le, riscv64, s390x, windows-amd64`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
