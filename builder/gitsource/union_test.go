package gitsource

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnion checks that the union repository sees the commits of every
// repository of the cache, including one fetched after it was made, and
// that a second call changes nothing.
func TestUnion(t *testing.T) {
	ctx := context.Background()
	c := openCache(t)
	var commits []string
	for i, name := range []string{"one", "two"} {
		f := newFixture(t)
		f.write(name, name+"\n", 0o644)
		id := f.commit(name, date1, date2)
		ensure(t, c, Source{Repo: f.dir, Commit: id})
		commits = append(commits, id)
		union, err := c.Union(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(c.Dir(), unionName); union != want {
			t.Fatalf("Union: got %s, want %s", union, want)
		}
		for _, id := range commits[:i+1] {
			if got := runGit(t, union, fixtureEnv(date1, date1), "rev-parse", "--verify", id+"^{commit}"); got != id {
				t.Errorf("union: %s resolves to %q", id, got)
			}
		}
	}
	alt := filepath.Join(c.Dir(), unionName, "objects", "info", "alternates")
	before, err := os.ReadFile(alt)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(before), "\n"); n != 2 {
		t.Errorf("alternates lists %d repositories, want 2:\n%s", n, before)
	}
	if strings.Contains(string(before), unionName) {
		t.Errorf("alternates lists the union itself:\n%s", before)
	}
	if _, err := c.Union(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(alt)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("a second Union changed alternates:\n%s\nto\n%s", before, after)
	}
}
