package manifest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoader(t *testing.T) {
	lib := t.TempDir()
	file := global + "\nTags: 1.0, latest\nSharedTags: s\n\nTags: 2.0\nSharedTags: s\nDirectory: two\n"
	if err := os.WriteFile(filepath.Join(lib, "repo"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/library/repo" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(file))
	}))
	defer srv.Close()
	l := Loader{Library: lib}
	tests := []struct {
		arg, name, tag string
		entries        int
		first          string // first tag of TagEntry
	}{
		{"repo", "repo", "", 2, ""},
		{"repo:latest", "repo", "latest", 1, "1.0"},
		{"repo:s", "repo", "s", 2, "1.0"},
		{filepath.Join(lib, "repo") + ":2.0", "repo", "2.0", 1, "2.0"},
		{srv.URL + "/library/repo:s", "repo", "s", 2, "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			r, err := l.Load(context.Background(), tt.arg)
			if err != nil {
				t.Fatal(err)
			}
			if r.RepoName != tt.name || r.TagName != tt.tag || len(r.Entries()) != tt.entries {
				t.Errorf("got %s:%s with %d entries", r.RepoName, r.TagName, len(r.Entries()))
			}
			if tt.first != "" && r.TagEntry.Tags[0] != tt.first {
				t.Errorf("TagEntry %v", r.TagEntry.Tags)
			}
		})
	}
	for _, arg := range []string{"nope", "repo:nope", srv.URL + "/library/nope"} {
		_, err := l.Load(context.Background(), arg)
		if err == nil {
			t.Errorf("Load(%q) succeeded", arg)
		} else if !errors.Is(err, ErrNotFound) && !strings.Contains(err.Error(), "404") {
			t.Errorf("Load(%q): %v", arg, err)
		}
	}
}
