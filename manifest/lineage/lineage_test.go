package lineage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/manifest"
)

// The test library: base builds a Linux tag (owning the shared tag
// "shared"), a Windows tag that shares it, and an s390x tag; mid is FROM
// base on two arches (through an alias and the shared tag); app is FROM
// mid, base:2 and base:0 (a tag the library no longer builds); winapp is
// FROM the shared tag (which base:1, a Linux tag, owns) and base:1-win.
var library = map[string]string{
	"app": `
Tags: 1, latest
Architectures: amd64, arm64v8

Tags: 1-s390x
Architectures: s390x

Tags: 1-old
Architectures: amd64
`,
	"base": `
Tags: 1, 1.0
SharedTags: shared
Architectures: amd64, arm64v8

Tags: 1-win
SharedTags: shared
Architectures: windows-amd64
Constraints: windowsservercore-ltsc2022

Tags: 2
Architectures: amd64, s390x
`,
	"mid": `
Tags: 1
Architectures: amd64, arm64v8
`,
	"winapp": `
Tags: 1
Architectures: windows-amd64

Tags: 2
Architectures: windows-amd64
Directory: two
`,
}

// froms is what the test library's entries are built FROM, by "repo:tag"
// (the entry's first tag) or, for one arch, "repo:tag@arch".
var froms = map[string][]string{
	"app:1":         {"mid:1", "scratch"},
	"app:1-s390x":   {"base:2"},
	"app:1-old":     {"base:0"},
	"base:1":        {"scratch"},
	"base:1-win":    {"mcr.microsoft.com/windows/servercore:ltsc2022"},
	"base:2":        {"scratch"},
	"mid:1@amd64":   {"base:1.0", "golang:1.22"},
	"mid:1@arm64v8": {"base:shared"},
	"winapp:1":      {"base:shared"},
	"winapp:2":      {"base:1-win"},
	"cycle:a":       {"cycle:b"},
	"cycle:b":       {"cycle:a"},
}

// readMap is a FromsFunc reading m.
func readMap(m map[string][]string) FromsFunc {
	return func(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
		tag := r.RepoName + ":" + e.Tags[0]
		if fs, ok := m[tag+"@"+arch]; ok {
			return slices.Clone(fs), nil
		}
		if fs, ok := m[tag]; ok {
			return slices.Clone(fs), nil
		}
		return nil, fmt.Errorf("no FROMs for %s on %s", tag, arch)
	}
}

// writeLibrary writes files (name -> entries) as library files of their
// own GitRepo and commit, and returns a loader of them.
func writeLibrary(t *testing.T, files map[string]string) *manifest.Loader {
	t.Helper()
	dir := t.TempDir()
	for name, entries := range files {
		head := fmt.Sprintf("Maintainers: Test <test@example.com> (@test)\nGitRepo: https://example.com/%s.git\nGitCommit: %040x\n", name, len(name))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(head+entries), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &manifest.Loader{Library: dir}
}

// loadAll loads names, in order.
func loadAll(t *testing.T, l *manifest.Loader, names ...string) []*manifest.Repo {
	t.Helper()
	var repos []*manifest.Repo
	for _, name := range names {
		r, err := l.Load(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		repos = append(repos, r)
	}
	return repos
}

// filters are the Options of bashbrew's flags.
var filters = map[string]Options{
	"all": {},
	// --arch arm64v8 --arch-filter
	"arm64v8": {Arch: "arm64v8", Keep: func(_ *manifest.Repo, e *manifest.Entry) bool { return e.HasArchitecture("arm64v8") }},
	// --arch s390x --arch-filter
	"s390x": {Arch: "s390x", Keep: func(_ *manifest.Repo, e *manifest.Entry) bool { return e.HasArchitecture("s390x") }},
	// --arch windows-amd64 --apply-constraints (with the constraint)
	"windows": {Arch: "windows-amd64", Keep: func(_ *manifest.Repo, e *manifest.Entry) bool { return e.HasArchitecture("windows-amd64") }},
}

// withFroms is opts reading the test's froms.
func withFroms(opts Options) Options {
	opts.Froms = readMap(froms)
	return opts
}

func TestFroms(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	for _, c := range []struct {
		filter string
		want   []string // "repo:tag: froms"
	}{
		{"all", []string{
			"app:1: mid:1 scratch",
			"app:1-s390x: base:2",
			"app:1-old: base:0",
			"base:1: scratch",
			"base:1-win: mcr.microsoft.com/windows/servercore:ltsc2022",
			"base:2: scratch",
			"mid:1: base:1.0 golang:1.22 base:shared", // amd64's, then arm64v8's
			"winapp:1: base:shared",
			"winapp:2: base:1-win",
		}},
		{"arm64v8", []string{"app:1: mid:1 scratch", "base:1: scratch", "mid:1: base:shared"}},
		{"s390x", []string{"app:1-s390x: base:2", "base:2: scratch"}},
		{"windows", []string{"base:1-win: mcr.microsoft.com/windows/servercore:ltsc2022", "winapp:1: base:shared", "winapp:2: base:1-win"}},
	} {
		t.Run(c.filter, func(t *testing.T) {
			t.Parallel()
			var got []string
			err := Froms(context.Background(), repos, withFroms(filters[c.filter]), func(r *manifest.Repo, e *manifest.Entry, fs []string) error {
				got = append(got, r.RepoName+":"+e.Tags[0]+": "+strings.Join(fs, " "))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestChildren(t *testing.T) {
	t.Parallel()
	repos := loadAll(t, writeLibrary(t, library), "app", "base", "mid", "winapp")
	for _, c := range []struct {
		name, filter string
		args         []string
		walk         Walk
		want         []string
		err          string // in the error, if it fails
	}{
		// a repository: its tags, as first met (app, first in the
		// library, is FROM base:2 and base:0, which the library no
		// longer builds), each with the children that share an arch:
		// winapp:1, FROM the shared tag that the Linux base:1 owns, is
		// not base:1's
		{"repo", "all", []string{"base"}, Walk{}, []string{"app:1-s390x", "app:1-old", "mid:1", "app:1", "winapp:2"}, ""},
		{"tag", "all", []string{"base:1"}, Walk{}, []string{"mid:1", "app:1"}, ""},
		{"alias", "all", []string{"base:1.0"}, Walk{}, []string{"mid:1", "app:1"}, ""},
		{"shared tag of the first entry", "all", []string{"base:shared"}, Walk{}, []string{"mid:1", "app:1"}, ""},
		{"depth 1", "all", []string{"base:1"}, Walk{Depth: 1}, []string{"mid:1"}, ""},
		{"depth 2", "all", []string{"mid", "base:1"}, Walk{Depth: 2}, []string{"app:1", "mid:1", "app:1"}, ""},
		{"depth -1", "all", []string{"base", "mcr.microsoft.com/windows/servercore", "golang"}, Walk{Depth: -1},
			[]string{"base:2", "base:0", "base:1", "base:1-win", "mcr.microsoft.com/windows/servercore:ltsc2022", "golang:1.22"}, ""},
		{"unsupported tag", "all", []string{"base:0"}, Walk{}, []string{"app:1-old"}, ""},
		{"external image", "all", []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}, Walk{}, []string{"base:1-win", "winapp:2"}, ""},
		{"external repository", "all", []string{"mcr.microsoft.com/windows/servercore"}, Walk{}, []string{"base:1-win", "winapp:2"}, ""},
		{"not uniq", "all", []string{"base:1", "mid"}, Walk{}, []string{"mid:1", "app:1", "app:1"}, ""},
		{"uniq", "all", []string{"base:1", "mid"}, Walk{Uniq: true}, []string{"mid:1", "app:1"}, ""},
		{"arch filter", "s390x", []string{"base"}, Walk{}, []string{"app:1-s390x"}, ""},
		{"windows", "windows", []string{"base:shared"}, Walk{}, []string{"winapp:1", "winapp:2"}, ""}, // only Windows entries: base:1-win owns it
		{"unknown after known", "all", []string{"base:2", "nosuch"}, Walk{}, []string{"app:1-s390x"}, `"nosuch"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewGraph(context.Background(), repos, withFroms(filters[c.filter]))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			err = g.Children(c.args, c.walk, func(tag string) error {
				got = append(got, tag)
				return nil
			})
			checkErr(t, err, c.err)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestParents(t *testing.T) {
	t.Parallel()
	l := writeLibrary(t, library)
	for _, c := range []struct {
		name, filter string
		args         []string
		walk         Walk
		want         []string
		err          string
	}{
		// mid:1 on the arches of app:1: amd64's FROMs, then arm64v8's;
		// golang:1.22 is not in the library; base:shared is base:1 and
		// base:1-win, which has none of app:1's arches
		{"tag", "all", []string{"app:1"}, Walk{}, []string{"mid:1", "base:1.0", "golang:1.22", "base:shared"}, ""},
		{"depth 1", "all", []string{"app:1"}, Walk{Depth: 1}, []string{"mid:1"}, ""},
		{"depth 2", "all", []string{"app:1"}, Walk{Depth: 2}, []string{"mid:1", "base:1.0", "golang:1.22", "base:shared"}, ""},
		{"repo", "all", []string{"app"}, Walk{}, []string{"mid:1", "base:2", "base:0", "base:1.0", "golang:1.22", "base:shared"}, ""},
		{"not uniq", "all", []string{"app:1", "mid"}, Walk{}, []string{"mid:1", "base:1.0", "golang:1.22", "base:shared", "base:1.0", "golang:1.22", "base:shared"}, ""},
		{"uniq", "all", []string{"app:1", "mid"}, Walk{Uniq: true}, []string{"mid:1", "base:1.0", "golang:1.22", "base:shared"}, ""},
		{"external image", "all", []string{"winapp:2"}, Walk{}, []string{"base:1-win", "mcr.microsoft.com/windows/servercore:ltsc2022"}, ""},
		{"arch filter", "s390x", []string{"app"}, Walk{}, []string{"base:2"}, ""},
		{"arm64v8", "arm64v8", []string{"app"}, Walk{}, []string{"mid:1", "base:shared"}, ""},
		{"unknown after known", "all", []string{"app:1-old", "nosuch"}, Walk{}, []string{"base:0"}, "nosuch"},
		{"unknown tag", "all", []string{"app:9"}, Walk{}, nil, `"9"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			err := Parents(context.Background(), l, c.args, c.walk, withFroms(filters[c.filter]), func(image string) error {
				got = append(got, image)
				return nil
			})
			checkErr(t, err, c.err)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// checkErr fails unless err is nil when want is "", or holds want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatal(err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one with %s", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want one with %s", err, want)
	}
}

// A FROM cycle, which bashbrew walks forever, is an error.
func TestCycle(t *testing.T) {
	t.Parallel()
	l := writeLibrary(t, map[string]string{"cycle": "\nTags: a\nArchitectures: amd64\n\nTags: b\nArchitectures: amd64\nDirectory: b\n"})
	opts := withFroms(Options{})
	g, err := NewGraph(context.Background(), loadAll(t, l, "cycle"), opts)
	if err != nil {
		t.Fatal(err)
	}
	print := func(string) error { return nil }
	if err := g.Children([]string{"cycle:a"}, Walk{}, print); !errors.Is(err, manifest.ErrCycle) {
		t.Errorf("Children: %v, want %v", err, manifest.ErrCycle)
	}
	if err := Parents(context.Background(), l, []string{"cycle:a"}, Walk{}, opts, print); !errors.Is(err, manifest.ErrCycle) {
		t.Errorf("Parents: %v, want %v", err, manifest.ErrCycle)
	}
	var got []string
	err = Parents(context.Background(), l, []string{"cycle:a"}, Walk{Depth: 3}, opts, func(s string) error { got = append(got, s); return nil })
	if want := []string{"cycle:b", "cycle:a", "cycle:b"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Parents --depth 3: %q, %v; want %q", got, err, want)
	}
}

func TestOptionsChecked(t *testing.T) {
	t.Parallel()
	print := func(string) error { return nil }
	if _, err := NewGraph(context.Background(), nil, Options{}); err == nil {
		t.Error("NewGraph without Froms succeeded")
	}
	if err := Parents(context.Background(), &manifest.Loader{}, []string{"x"}, Walk{}, Options{Froms: readMap(froms), Jobs: -1}, print); err == nil {
		t.Error("Parents with Jobs -1 succeeded")
	}
	if err := Froms(context.Background(), nil, Options{}, nil); err == nil {
		t.Error("Froms without Froms succeeded")
	}
}
