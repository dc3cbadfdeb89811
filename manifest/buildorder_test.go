package manifest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// orderRepo parses a one-file library: entries "TAGS" with FROMs given by
// froms, keyed "repo:firsttag".
func orderRepo(t *testing.T, name string, entries ...string) *Repo {
	t.Helper()
	var b strings.Builder
	b.WriteString("Maintainers: Test (@test)\nGitRepo: https://example.com/r.git\nGitCommit: 0123456789012345678901234567890123456789\n")
	for i, tags := range entries { // a Directory each, or Parse merges them
		fmt.Fprintf(&b, "\nTags: %s\nArchitectures: amd64, arm64v8\nDirectory: d%d\n", tags, i)
	}
	m, err := Parse(name, strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return &Repo{RepoName: name, Manifest: m}
}

func TestSortRepos(t *testing.T) {
	tests := []struct {
		name    string
		repos   [][]string // repo name, then its entries' tags
		froms   map[string][]string
		skip    string // an entry skipped by the constraints
		want    []string
		wantErr error
	}{{
		name:  "a child after its parent",
		repos: [][]string{{"app", "1"}, {"base", "1, latest"}},
		froms: map[string][]string{"app:1": {"base:latest"}, "base:1": {"scratch"}},
		want:  []string{"base", "app"},
	}, {
		name:  "FROMs outside the set change nothing",
		repos: [][]string{{"b", "1"}, {"a", "1"}},
		froms: map[string][]string{"b:1": {"debian:bookworm"}, "a:1": {"b:2"}},
		want:  []string{"b", "a"},
	}, {
		name:  "one generation takes what the pass freed",
		repos: [][]string{{"c", "1"}, {"a", "1"}, {"b", "1"}},
		froms: map[string][]string{"c:1": {"b:1"}, "b:1": {"a:1"}},
		want:  []string{"a", "b", "c"},
	}, {
		name:  "a self FROM is no edge",
		repos: [][]string{{"a", "1", "2"}},
		froms: map[string][]string{"a:2": {"a:1"}},
		want:  []string{"a"},
	}, {
		name:  "a skipped entry adds no edge",
		repos: [][]string{{"app", "1"}, {"base", "1"}},
		froms: map[string][]string{"app:1": {"base:1"}},
		skip:  "app:1",
		want:  []string{"app", "base"},
	}, {
		name:    "a cycle",
		repos:   [][]string{{"a", "1"}, {"b", "1"}},
		froms:   map[string][]string{"a:1": {"b:1"}, "b:1": {"a:1"}},
		wantErr: ErrCycle,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repos []*Repo
			for _, r := range tt.repos {
				repos = append(repos, orderRepo(t, r[0], r[1:]...))
			}
			opts := OrderOptions{Arch: "amd64", Froms: func(r *Repo, e *Entry, arch string) ([]string, error) {
				return tt.froms[r.EntryIdentifier(e)], nil
			}}
			if tt.skip != "" {
				opts.Skip = func(r *Repo, e *Entry) bool { return r.EntryIdentifier(e) == tt.skip }
			}
			sorted, err := SortRepos(repos, opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			var got []string
			for _, r := range sorted {
				got = append(got, r.Identifier())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSortedEntries(t *testing.T) {
	r := orderRepo(t, "app", "extra", "1, latest", "2")
	opts := OrderOptions{Froms: func(r *Repo, e *Entry, arch string) ([]string, error) {
		if e.Tags[0] == "extra" {
			return []string{"app:latest"}, nil
		}
		return []string{"scratch"}, nil
	}}
	entries, err := r.SortedEntries(opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Tags[0])
	}
	if diff := cmp.Diff([]string{"1", "2", "extra"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	failing := OrderOptions{Froms: func(*Repo, *Entry, string) ([]string, error) { return nil, errors.New("boom") }}
	if _, err := r.SortedEntries(failing); err == nil || !strings.Contains(err.Error(), "app:extra") {
		t.Errorf("got %v, want an error naming app:extra", err)
	}
}
