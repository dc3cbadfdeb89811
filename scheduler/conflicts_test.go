package scheduler

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/manifest"
)

// entry is a paragraph of a test library file: its tags, shared tags,
// arches and directory (the fake inspector's source: one directory, one
// source id).
func entry(tags, shared, arches, dir string) string {
	s := "\nTags: " + tags + "\n"
	if shared != "" {
		s += "SharedTags: " + shared + "\n"
	}
	return s + "Architectures: " + arches + "\nDirectory: " + dir + "\n"
}

// conflictLines is "REPO:TAG ARCH FILE:LINE..." per conflict.
func conflictLines(cs []TagConflict) []string {
	var out []string
	for _, c := range cs {
		line := c.Repo + ":" + c.Tag + " " + c.Arch
		for _, o := range c.Entries {
			line += fmt.Sprintf(" %s:%d", o.File, o.Line)
		}
		out = append(out, line)
	}
	return out
}

func TestTagConflicts(t *testing.T) {
	tests := []struct {
		name  string
		foo   string // library/foo after the header; entries start on lines 5, 10, 15 (with a shared tag)
		other string // library/other, when set: the same sources under another name
		want  []string
	}{{
		name: "disjoint arches",
		foo:  entry("1", "latest", "amd64, arm64v8", "one") + entry("2", "latest", "ppc64le", "two"),
	}, {
		name: "one arch twice",
		foo:  entry("1", "latest", "amd64, arm64v8", "one") + entry("2", "latest", "amd64", "two"),
		want: []string{"foo:latest amd64 library/foo:5 library/foo:10"},
	}, {
		name: "two arches twice, and two shared tags",
		foo:  entry("1", "latest, lts", "amd64, arm64v8", "one") + entry("2", "latest, lts", "arm64v8, amd64", "two"),
		want: []string{"foo:latest amd64 library/foo:5 library/foo:10", "foo:lts amd64 library/foo:5 library/foo:10",
			"foo:latest arm64v8 library/foo:5 library/foo:10", "foo:lts arm64v8 library/foo:5 library/foo:10"},
	}, {
		name: "three entries",
		foo:  entry("1", "latest", "s390x", "one") + entry("2", "latest", "s390x", "two") + entry("3", "latest", "s390x", "three"),
		want: []string{"foo:latest s390x library/foo:5 library/foo:10 library/foo:15"},
	}, {
		name: "one source named by both entries",
		foo:  entry("1", "latest", "amd64", "one") + entry("2", "latest", "amd64", "one"),
	}, {
		name: "Windows versions",
		foo:  entry("ltsc2025", "latest", "windows-amd64", "one") + entry("ltsc2022", "latest", "windows-amd64", "two"),
	}, {
		name:  "the same shared tag in another repository",
		foo:   entry("1", "latest", "amd64", "one"),
		other: entry("1", "latest", "amd64", "two"),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repos := []*manifest.Repo{repo(t, "foo", tt.foo)}
			if tt.other != "" {
				repos = append(repos, repo(t, "other", tt.other))
			}
			got := conflictLines(TagConflicts(newPlan(t, fakeInspector{}, repos...).Jobs))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("TagConflicts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTagConflictError(t *testing.T) {
	p := newPlan(t, fakeInspector{}, repo(t, "foo", entry("1, 1.0", "latest", "amd64", "one")+entry("2", "latest", "amd64", "two")))
	cs := TagConflicts(p.Jobs)
	if len(cs) != 1 {
		t.Fatalf("conflicts: %v", conflictLines(cs))
	}
	want := `library/foo:10: Tags "2": shared tag foo:latest would get a second amd64 image: ` +
		`the entry at library/foo:5 (Tags "1, 1.0") gives it one, built from another source; ` +
		`an index holds one image per platform, so give foo:latest to one of these entries only for amd64 ` +
		`(drop amd64 from the others' Architectures, or latest from their SharedTags)`
	if got := cs[0].Error(); got != want {
		t.Errorf("Error:\n got %s\nwant %s", got, want)
	}
}

// TestTagConflictsRealLibrary finds no conflict in the official-images
// snapshot, whose shared tags publish today.
func TestTagConflictsRealLibrary(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "conformance", "official-images", "library")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no official-images snapshot: %v", err)
	}
	var repos []*manifest.Repo
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := manifest.ParseString(f.Name(), string(data))
		if err != nil {
			t.Fatal(err)
		}
		repos = append(repos, &manifest.Repo{File: f.Name(), RepoName: f.Name(), Manifest: m})
	}
	p := Expand(repos, Options{})
	if cs := TagConflicts(p.Jobs); len(cs) > 0 {
		var lines []string
		for _, c := range cs {
			lines = append(lines, c.Error())
		}
		t.Errorf("%d conflicts:\n%s", len(cs), strings.Join(lines, "\n"))
	}
	t.Logf("%d files, %d jobs: no conflict", len(repos), len(p.Jobs))
}
