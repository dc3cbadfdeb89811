package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// conflictLibrary is foo: 1 (shared latest) for amd64 and arm64v8, and 2
// (shared latest) for amd64 from another directory; and bar, whose
// bar:latest has one entry, built from the same source as foo:2 (so one
// job builds both). foo's entries start on lines 5 and 10.
func conflictLibrary(t *testing.T, git *farmtest.Git) string {
	t.Helper()
	url, commit := git.NewRepo(t, "src", map[string]string{
		"one/Dockerfile": "FROM scratch\nCOPY Dockerfile /one\n",
		"two/Dockerfile": "FROM scratch\nCOPY Dockerfile /two\n",
	})
	head := maintainers + "GitRepo: " + url + "\nGitCommit: " + commit + "\n"
	return writeLibrary(t, map[string]string{
		"foo": head + "\nTags: 1\nSharedTags: latest\nArchitectures: amd64, arm64v8\nDirectory: one\n" +
			"\nTags: 2\nSharedTags: latest\nArchitectures: amd64\nDirectory: two\n",
		"bar": head + "\nTags: 1\nSharedTags: latest\nArchitectures: amd64\nDirectory: two\n",
	})
}

// TestPlanTagConflict plans a library where two entries give the shared
// tag foo:latest an amd64 image: plan shows every job, lists the conflict
// (JSON: conflicts), and exits non-zero naming both entries' lines, the
// tag and the arch.
func TestPlanTagConflict(t *testing.T) {
	lib := conflictLibrary(t, farmtest.GitDaemon(t))
	foo := filepath.Join(lib, "foo")
	wantErr := foo + `:10: Tags "2": shared tag foo:latest would get a second amd64 image: the entry at ` + foo + `:5 (Tags "1")`
	args := []string{"--library", lib, "plan", "--all", "--cache", t.TempDir()}

	out, _, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, append(args, "--format", "json")...)
	if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.HasPrefix(err.Error(), "1 tag conflict(s)") {
		t.Errorf("brewkit plan --format json: error %v, want 1 tag conflict(s), %q", err, wantErr)
	}
	var p struct {
		Jobs      []struct{ Tags []string }
		Conflicts []struct {
			Repo, Tag, Arch string
			Entries         []struct{ Line int }
			Error           string
		}
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --format json: %v\n%s", err, out)
	}
	if len(p.Jobs) != 3 {
		t.Errorf("plan: %d jobs, want 3 (foo:1 twice, foo:2 with bar:1)", len(p.Jobs))
	}
	if len(p.Conflicts) != 1 {
		t.Fatalf("plan: conflicts %+v, want foo:latest for amd64", p.Conflicts)
	}
	c := p.Conflicts[0]
	got := []any{c.Repo, c.Tag, c.Arch, len(c.Entries), strings.HasPrefix(c.Error, wantErr)}
	if diff := cmp.Diff([]any{"foo", "latest", "amd64", 2, true}, got); diff != "" || c.Entries[0].Line != 5 || c.Entries[1].Line != 10 {
		t.Errorf("plan: conflict %+v; want foo:latest amd64 from lines 5 and 10:\n%s", c, diff)
	}

	_, _, err = brewkit(t, map[string]string{"HOME": t.TempDir()}, args...)
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("brewkit plan: error %v, want %q", err, wantErr)
	}
}
