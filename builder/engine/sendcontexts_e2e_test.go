package engine_test

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

// TestE2ESentContextsOfOneCommit: two contexts of one commit, sent by
// brewkit (every file with the commit's time), with a file of the same
// path and size but other bytes, built one after the other on one worker:
// each image has its own bytes. BuildKit keeps a copy of a sent context
// per worker and sends the next as a difference by path, size, mode and
// time; without a key per context the second got the first's file.
func TestE2ESentContextsOfOneCommit(t *testing.T) {
	farm := farmtest.Require(t)
	git := farmtest.GitDaemon(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	url, commit := git.NewRepo(t, "samesize", map[string]string{
		"a/Dockerfile": "FROM scratch\nCOPY f /f\n", "a/f": "AAAA" + nonce,
		"b/Dockerfile": "FROM scratch\nCOPY f /f\n", "b/f": "BBBB" + nonce,
	})
	lib := t.TempDir()
	for _, dir := range []string{"a", "b"} {
		text := fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: 1\nArchitectures: amd64\nGitCommit: %s\nDirectory: %s\n", url, commit, dir)
		if err := os.WriteFile(filepath.Join(lib, dir), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	target, err := engine.Farm(farm.Workers, farm.Registry, farm.Registry+"/sendctx-"+nonce+"/staging")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, dir := range []string{"a", "b"} { // one after the other
		b, err := e.Build(t.Context(), plan(t, e, lib, dir), engine.BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o := b.Report.Outcomes[0]
		if o.Status != scheduler.Built {
			t.Fatalf("%s: %s: %v", dir, o.Status, o.Err)
		}
		want := strings.ToUpper(strings.Repeat(dir, 4)) + nonce
		if got := fileOf(t, o.Result.Ref, "f"); got != want {
			t.Errorf("%s's image has f = %q, want %q", dir, got, want)
		}
	}
}

// fileOf is the content of file in the image ref.
func fileOf(t *testing.T, ref, file string) string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s has no %s", ref, file)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(h.Name, "/") == file {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}
