package manifest

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestParseErrors checks that each malformed file fails with every problem
// named at its line.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // the error's lines
	}{{
		name: "missing GitCommit",
		in:   "Maintainers: Jane Doe (@jane)\nGitRepo: https://example.com/r.git\n\nTags: a\n",
		want: []string{`library/t:4: Tags "a": missing GitCommit; want ` + commitFormat},
	}, {
		name: "uppercase commit",
		in:   global + "\nTags: a\nGitCommit: " + strings.ToUpper(commitB) + "\n",
		want: []string{`library/t:6: Tags "a": invalid GitCommit "` + strings.ToUpper(commitB) + `"; want ` + commitFormat},
	}, {
		name: "short commit inherited from the global paragraph is reported once, there",
		in:   "Maintainers: Jane Doe (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: abc123\n\nTags: a\n\nTags: b\nDirectory: b\n",
		want: []string{`library/t:3: invalid GitCommit "abc123"; want ` + commitFormat + ` (in the global paragraph, inherited by Tags "a")`},
	}, {
		name: "unknown architecture",
		in:   global + "\nTags: a\nArchitectures: amd64, aarch64\n",
		want: []string{`library/t:6: Tags "a": unknown architecture "aarch64" in Architectures; known: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, mips64le, ppc64le, riscv64, s390x, windows-amd64`},
	}, {
		name: "unknown global architecture",
		in:   global + "Architectures: arm64\n\nTags: a\n",
		want: []string{`library/t:4: global paragraph: unknown architecture "arm64" in Architectures; known: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, mips64le, ppc64le, riscv64, s390x, windows-amd64`},
	}, {
		name: "duplicate tags across entries",
		in:   global + "\nTags: a, b\n\nTags: b, c\nDirectory: x\n",
		want: []string{`library/t:7: Tags "b, c": duplicate tag "b", already in Tags "a, b" on line 5`},
	}, {
		name: "duplicate tag in one entry",
		in:   global + "\nTags: a, a\n",
		want: []string{`library/t:5: Tags "a, a": tag "a" is listed twice`},
	}, {
		name: "tag after a shared tag",
		in:   global + "\nTags: a\nSharedTags: latest\n\nTags: latest\nDirectory: x\n",
		want: []string{`library/t:8: Tags "latest": tag "latest" conflicts with the shared tag of Tags "a" on line 5`},
	}, {
		name: "shared tag after a tag",
		in:   global + "\nTags: latest\n\nTags: b\nSharedTags: latest\nDirectory: x\n",
		want: []string{`library/t:8: Tags "b": shared tag "latest" conflicts with a tag of Tags "latest" on line 5`},
	}, {
		name: "shared tag equal to own tag",
		in:   global + "\nTags: a\nSharedTags: a\n",
		want: []string{`library/t:6: Tags "a": tag "a" is in both Tags and SharedTags`},
	}, {
		name: "global Tags",
		in:   global + "Tags: a\n\nTags: b\n",
		want: []string{`library/t:4: Tags are not permitted in the global paragraph, which holds defaults for the entries; put them in an entry (paragraphs are separated by an empty line)`},
	}, {
		name: "whitespace-only separator line",
		in:   global + "   \nTags: a\n",
		want: []string{`library/t:4: line holds only blanks ("   "); paragraphs are separated by an empty line, so delete the blanks`},
	}, {
		name: "bad GitFetch",
		in:   global + "\nTags: a\nGitFetch: master\n",
		want: []string{`library/t:6: Tags "a": invalid GitFetch "master"; want ` + fetchFormat},
	}, {
		name: "GitFetch glob",
		in:   global + "\nTags: a\nGitFetch: refs/heads/*\n",
		want: []string{`library/t:6: Tags "a": invalid GitFetch "refs/heads/*"; want ` + fetchFormat},
	}, {
		name: "line without a colon",
		in:   global + "\nTags: a\nDirectory 1.0\n",
		want: []string{`library/t:6: line "Directory 1.0" has no ':'; want "Key: value", an indented continuation line, or an empty line between paragraphs`},
	}, {
		name: "bad maintainer",
		in:   "Maintainers: John Smith <x@y>\nGitRepo: r\nGitCommit: " + commitA + "\n\nTags: a\n",
		want: []string{`library/t:1: invalid maintainer "John Smith <x@y>"; want ` + maintainerFormat},
	}, {
		name: "missing maintainers",
		in:   "GitRepo: r\nGitCommit: " + commitA + "\n\nTags: a\n",
		want: []string{`library/t:1: missing Maintainers in the global paragraph; want at least one ` + maintainerFormat},
	}, {
		name: "bad entry maintainer",
		in:   global + "\nTags: a\nMaintainers: nobody\n",
		want: []string{`library/t:6: invalid maintainer "nobody"; want ` + maintainerFormat},
	}, {
		name: "empty file",
		in:   "",
		want: []string{`library/t: empty manifest; a library file starts with a global paragraph such as "Maintainers: Jane Doe <jane@example.com> (@jane)"`},
	}, {
		name: "only comments",
		in:   "# nothing\n\n   # here\n",
		want: []string{`library/t: empty manifest; a library file starts with a global paragraph such as "Maintainers: Jane Doe <jane@example.com> (@jane)"`},
	}, {
		name: "binary garbage is escaped",
		in:   "\x00\x01\xff\xfe\n\x7fELF\x02",
		want: []string{
			`library/t:1: line "\x00\x01\xff\xfe" has no ':'; want "Key: value", an indented continuation line, or an empty line between paragraphs`,
			`library/t:2: line "\x7fELF\x02" has no ':'; want "Key: value", an indented continuation line, or an empty line between paragraphs`,
		},
	}, {
		name: "bad tags, empty items and control characters",
		in:   global + "\nTags: a, -b, c\x1b[31m,\n",
		want: []string{
			`library/t:5: Tags "a, -b, c\x1b[31m, ": invalid tag "-b"; want ` + tagFormat,
			`library/t:5: Tags "a, -b, c\x1b[31m, ": invalid tag "c\x1b[31m"; want ` + tagFormat,
			`library/t:5: Tags "a, -b, c\x1b[31m, ": invalid tag ""; want ` + tagFormat,
		},
	}, {
		name: "entry without Tags",
		in:   global + "\nDirectory: x\n",
		want: []string{`library/t:5: entry has no Tags; every entry needs a line such as "Tags: 1.2.3, 1.2, latest"`},
	}, {
		name: "missing GitRepo, continuation without a field",
		in:   "Maintainers: Jane Doe (@jane)\nGitCommit: " + commitA + "\n\n  orphan\nTags: a\n",
		want: []string{
			`library/t:4: continuation line "  orphan" has no field before it; indented lines continue the field above them`,
			`library/t:5: Tags "a": missing GitRepo; want the URL of the git repository holding the Dockerfile`,
		},
	}, {
		name: "every problem of the file, not the first",
		in:   global + "\nTags: a\nGitFetch: master\n\nTags: a\nArchitectures: nope\nDirectory: b\n",
		want: []string{
			`library/t:6: Tags "a": invalid GitFetch "master"; want ` + fetchFormat,
			`library/t:9: Tags "a": unknown architecture "nope" in Architectures; known: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, mips64le, ppc64le, riscv64, s390x, windows-amd64`,
			`library/t:8: Tags "a": duplicate tag "a", already in Tags "a" on line 5`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseString("library/t", tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded: %v", m)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList: %v", err, err)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorListIsBounded(t *testing.T) {
	_, err := ParseString("library/t", strings.Repeat("garbage\n", 1000))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || lines[maxErrors] != "library/t: ... and 950 more problems" {
		t.Errorf("got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 {
		t.Errorf("errors.As(*Error) = %v", e)
	}
}

// FuzzParse checks that no input panics, that parsing is deterministic, and
// that every problem names a line of the input and prints safely.
func FuzzParse(f *testing.F) {
	f.Add(global + "\nTags: a\nSharedTags: s\namd64-Directory: x\n")
	f.Add(global + "Architectures: amd64, arm64v8\n\nTags: a, b\n  c\nConstraints: !x\n\nTags: d\nSharedTags: s\nDirectory: ./d/\n")
	f.Add("Maintainers: a (@b)\r\n\r\nTags: x\r\n")
	f.Add("\x00garbage:\n \n\t.\n")
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseString("f", in)
		lines := strings.Count(in, "\n") + 1
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			for _, e := range list {
				checkProblem(t, e, lines)
			}
			return
		}
		for _, w := range m.Warnings {
			checkProblem(t, w, lines)
		}
		again, err := ParseString("f", in)
		if err != nil || again.String() != m.String() {
			t.Fatalf("second parse differs: %v", err)
		}
		for i := range m.Entries {
			if len(m.Entries[i].Tags) == 0 || m.GetTag(m.Entries[i].Tags[0]) != &m.Entries[i] {
				t.Fatalf("entry %d is not found by its first tag", i)
			}
		}
	})
}

func checkProblem(t *testing.T, e *Error, lines int) {
	t.Helper()
	if e.Line < 0 || e.Line > lines {
		t.Errorf("line %d out of range 0..%d: %v", e.Line, lines, e)
	}
	if !utf8.ValidString(e.Msg) || strings.ContainsFunc(e.Msg, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		t.Errorf("message is not printable: %q", e.Msg)
	}
}
