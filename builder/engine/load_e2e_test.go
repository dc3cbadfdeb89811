package engine_test

import (
	archivetar "archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

// TestE2ELoadTarball builds an arm64v8 image on the farm with Load set,
// as --load does, and reads the docker exporter's tarball back with
// go-containerregistry: a valid docker-archive naming the tag as a full
// reference, its config linux/arm64/v8.
func TestE2ELoadTarball(t *testing.T) {
	farm := farmtest.Require(t)
	git := farmtest.GitDaemon(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	url, commit := git.NewRepo(t, "app", map[string]string{"Dockerfile": "FROM scratch\nCOPY nonce /nonce\n", "nonce": nonce})
	lib := t.TempDir()
	text := fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: 1.0, latest\nArchitectures: arm64v8\nGitCommit: %s\n", url, commit)
	if err := os.WriteFile(filepath.Join(lib, "loadme"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	target, err := engine.Farm(farm.Workers, farm.Registry, farm.Registry+"/load-e2e-"+nonce+"/staging")
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
	tar := filepath.Join(t.TempDir(), "image.tar")
	b, err := e.Build(t.Context(), plan(t, e, lib, "loadme"), engine.BuildOptions{
		Load: func(context.Context) (io.WriteCloser, error) { return os.Create(tar) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Report.Count(scheduler.Built) != 1 {
		t.Fatalf("not built: %v", b.Report.Err())
	}
	for _, ref := range []string{"docker.io/library/loadme:1.0", "docker.io/library/loadme:latest"} {
		tag, err := name.NewTag(ref)
		if err != nil {
			t.Fatal(err)
		}
		img, err := tarball.ImageFromPath(tar, &tag)
		if err != nil {
			t.Errorf("%s in the docker-archive: %v", ref, err)
			continue
		}
		if err := validate.Image(img); err != nil {
			t.Errorf("%s: %v", ref, err)
		}
		cfg, err := img.ConfigFile()
		if err != nil || cfg.OS != "linux" || cfg.Architecture != "arm64" || cfg.Variant != "v8" {
			t.Errorf("%s: config %v %+v, want linux/arm64/v8", ref, err, cfg)
		}
	}

	// Again, up to date: the staged image is loaded, in a tarball whose
	// index.json and manifest.json are the docker exporter's.
	again := filepath.Join(t.TempDir(), "again.tar")
	b, err = e.Build(t.Context(), plan(t, e, lib, "loadme"), engine.BuildOptions{
		Load: func(context.Context) (io.WriteCloser, error) { return os.Create(again) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Report.Count(scheduler.UpToDate) != 1 || !b.Report.Outcomes[0].Result.Loaded {
		t.Fatalf("not up to date and loaded: %v %+v", b.Report.Err(), b.Report.Outcomes[0].Result)
	}
	for _, f := range []string{"index.json", "manifest.json"} {
		if diff := cmp.Diff(tarJSON(t, tar, f), tarJSON(t, again, f)); diff != "" {
			t.Errorf("%s (-docker exporter +staged load):\n%s", f, diff)
		}
	}
}

// tarJSON is the JSON file name in the tarball path, decoded.
func tarJSON(t *testing.T, path, name string) any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := archivetar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s in %s: %v", name, path, err)
		}
		if h.Name == name {
			var v any
			if err := json.NewDecoder(tr).Decode(&v); err != nil {
				t.Fatalf("%s in %s: %v", name, path, err)
			}
			return v
		}
	}
}
