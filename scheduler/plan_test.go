package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/manifest"
)

// fakeInspector answers from a table keyed by "directory" (and optionally
// "directory/arch"); the checksum is the directory unless given.
type fakeInspector struct {
	froms    map[string][]string
	checksum map[string]string
	fail     map[string]error
}

func (f fakeInspector) Inspect(_ context.Context, src Source, arch, builder string) (SourceInfo, error) {
	if err := f.fail[src.Directory]; err != nil {
		return SourceInfo{}, err
	}
	froms, ok := f.froms[src.Directory+"/"+arch]
	if !ok {
		froms = f.froms[src.Directory]
	}
	sum := f.checksum[src.Directory]
	if sum == "" {
		sum = "sum-" + src.Directory
	}
	return SourceInfo{Checksum: sum, CommitTime: time.Unix(1700000000, 0), Froms: froms}, nil
}

const head = "Maintainers: Jane Doe (@jane)\nGitRepo: https://example.com/r.git\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n"

func repo(t *testing.T, name, body string) *manifest.Repo {
	t.Helper()
	m, err := manifest.ParseString("library/"+name, head+body)
	if err != nil {
		t.Fatal(err)
	}
	return &manifest.Repo{File: "library/" + name, RepoName: name, Manifest: m}
}

func newPlan(t *testing.T, insp Inspector, repos ...*manifest.Repo) *Plan {
	t.Helper()
	p, err := NewPlan(context.Background(), repos, insp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// describe prints a plan compactly: one line per job.
func describe(p *Plan) []string {
	var lines []string
	for _, j := range p.Jobs {
		var parents []string
		for _, e := range j.Parents {
			parents = append(parents, e.Job.String())
		}
		line := fmt.Sprintf("%s [%s] rank=%d parents=%v external=%v", j, strings.Join(j.Tags, " "), j.rank, parents, j.External)
		if j.Err != nil {
			line = fmt.Sprintf("%s [%s] error: %v", j, strings.Join(j.Tags, " "), j.Err)
		}
		lines = append(lines, line)
	}
	return lines
}

func TestPlanGraph(t *testing.T) {
	base := repo(t, "base", "\nTags: 1, latest\nArchitectures: amd64, arm64v8\nDirectory: base\n")
	mid := repo(t, "mid", "\nTags: 2\nArchitectures: amd64, arm64v8\nDirectory: mid\n\nTags: 2-alt\nArchitectures: amd64\nDirectory: mid\n")
	top := repo(t, "top", "\nTags: 3\nArchitectures: amd64, arm64v8, s390x\nDirectory: top\n")
	insp := fakeInspector{froms: map[string][]string{
		"base": {"scratch"},
		"mid":  {"golang:1.22", "docker.io/library/base"},
		"top":  {"mid:2", "base:1"},
	}}
	got := describe(newPlan(t, insp, base, mid, top))
	want := []string{
		"base:1 (amd64) [base:1 base:latest] rank=3 parents=[] external=[]",
		"base:1 (arm64v8) [base:1 base:latest] rank=3 parents=[] external=[]",
		"mid:2 (amd64) [mid:2 mid:2-alt] rank=2 parents=[base:1 (amd64)] external=[golang:1.22]",
		"mid:2 (arm64v8) [mid:2] rank=2 parents=[base:1 (arm64v8)] external=[golang:1.22]",
		"top:3 (amd64) [top:3] rank=1 parents=[mid:2 (amd64) base:1 (amd64)] external=[]",
		"top:3 (arm64v8) [top:3] rank=1 parents=[mid:2 (arm64v8) base:1 (arm64v8)] external=[]",
		"top:3 (s390x) [top:3] rank=1 parents=[] external=[mid:2 base:1]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestPlanMergesIdenticalSourcesAcrossRepos(t *testing.T) {
	a := repo(t, "a", "\nTags: 1\nDirectory: one\n")
	b := repo(t, "b", "\nTags: x\nDirectory: other\n")
	insp := fakeInspector{checksum: map[string]string{"one": "same", "other": "same"}}
	p := newPlan(t, insp, a, b)
	if len(p.Jobs) != 1 || len(p.Jobs[0].Origins) != 2 {
		t.Fatalf("jobs: %v", describe(p))
	}
	if diff := cmp.Diff([]string{"a:1", "b:x"}, p.Jobs[0].Tags); diff != "" {
		t.Error(diff)
	}
	if want := SourceID("same", "Dockerfile", BuilderBuildKit); p.Jobs[0].SourceID != want {
		t.Errorf("SourceID %s, want %s", p.Jobs[0].SourceID, want)
	}
}

func TestPlanErrors(t *testing.T) {
	r := repo(t, "r", "\nTags: classic\nDirectory: c\nBuilder: classic\n\n"+
		"Tags: missing\nDirectory: gone\n\n"+
		"Tags: a\nDirectory: a\n\nTags: b\nDirectory: b\n\nTags: c\nDirectory: cc\n\n"+
		"Tags: child\nDirectory: child\n")
	insp := fakeInspector{
		froms: map[string][]string{"a": {"r:c"}, "b": {"r:a"}, "cc": {"r:b"}, "child": {"r:a"}},
		fail:  map[string]error{"gone": errors.New("commit 0123456 is not in https://example.com/r.git")},
	}
	got := describe(newPlan(t, insp, r))
	want := []string{
		`r:classic (amd64) [r:classic] error: Builder "classic" (the legacy Docker builder) is only used for Windows; for amd64 use "buildkit" or no Builder line`,
		`r:missing (amd64) [r:missing] error: library/r:9 (r:missing) for amd64: commit 0123456 is not in https://example.com/r.git`,
		`r:a (amd64) [r:a] error: FROM cycle: r:b (amd64) -> r:c (amd64) -> r:a (amd64) -> r:b (amd64); a Dockerfile cannot be built from its own descendant`,
		`r:b (amd64) [r:b] error: FROM cycle: r:b (amd64) -> r:c (amd64) -> r:a (amd64) -> r:b (amd64); a Dockerfile cannot be built from its own descendant`,
		`r:c (amd64) [r:c] error: FROM cycle: r:b (amd64) -> r:c (amd64) -> r:a (amd64) -> r:b (amd64); a Dockerfile cannot be built from its own descendant`,
		`r:child (amd64) [r:child] rank=1 parents=[r:a (amd64)] external=[]`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestPlanSelect(t *testing.T) {
	r := repo(t, "r", "\nTags: 1\nArchitectures: amd64, windows-amd64\n")
	p, err := NewPlan(context.Background(), []*manifest.Repo{r}, fakeInspector{}, Options{
		Select: func(e *manifest.Entry, arch string) (bool, string) {
			return arch != "windows-amd64", "no windows worker"
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 1 || len(p.Unplanned) != 1 || p.Unplanned[0].Arch != "windows-amd64" || p.Unplanned[0].Origin.Line != 5 {
		t.Errorf("jobs %v, unplanned %+v", describe(p), p.Unplanned)
	}
}

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"debian":                   "debian:latest",
		"debian:bookworm":          "debian:bookworm",
		"library/debian:12":        "debian:12",
		"docker.io/library/debian": "debian:latest",
		"docker.io/tianon/foo":     "tianon/foo:latest",
		"127.0.0.1:5000/x/y":       "127.0.0.1:5000/x/y:latest",
		"127.0.0.1:5000/x/y:1":     "127.0.0.1:5000/x/y:1",
		"alpine@sha256:0123":       "alpine@sha256:0123",
		"scratch":                  "scratch",
		"mcr.microsoft.com/windows/servercore:ltsc2022": "mcr.microsoft.com/windows/servercore:ltsc2022",
	} {
		if got := NormalizeRef(in); got != want {
			t.Errorf("NormalizeRef(%q) = %q, want %q", in, got, want)
		}
	}
}

// Entries that differ only in their File are different builds.
func TestPlanKeepsDifferentFiles(t *testing.T) {
	r := repo(t, "r", "\nTags: a\nDirectory: d\n\nTags: b\nDirectory: d\nFile: Dockerfile.alpine\n")
	p := newPlan(t, fakeInspector{}, r)
	if len(p.Jobs) != 2 {
		t.Errorf("got %v", describe(p))
	}
}
