package builder

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestLoadNames: the names --load gives a job's image, whether solved or
// found staged: every tag of every origin, as a full reference.
func TestLoadNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		origins []scheduler.Origin
		want    []string
	}{
		{"none", nil, nil},
		{"one tag", []scheduler.Origin{{Repo: "foo", Tags: []string{"1.0"}}},
			[]string{"docker.io/library/foo:1.0"}},
		{"tags in order", []scheduler.Origin{{Repo: "foo", Tags: []string{"1.0", "1", "latest"}}},
			[]string{"docker.io/library/foo:1.0", "docker.io/library/foo:1", "docker.io/library/foo:latest"}},
		{"shared entry", []scheduler.Origin{{Repo: "foo", Tags: []string{"1.0"}}, {Repo: "bar", Tags: []string{"2"}}},
			[]string{"docker.io/library/foo:1.0", "docker.io/library/bar:2"}},
		{"namespaced", []scheduler.Origin{{Repo: "tianon/foo", Tags: []string{"x"}}},
			[]string{"docker.io/tianon/foo:x"}},
		{"registry", []scheduler.Origin{{Repo: "127.0.0.1:5000/ns/foo", Tags: []string{"y"}}},
			[]string{"127.0.0.1:5000/ns/foo:y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, loadNames(&scheduler.Job{Origins: tc.origins})); diff != "" {
				t.Errorf("loadNames (-want +got):\n%s", diff)
			}
		})
	}
}

// tarBuffer is a load destination that keeps the tarball.
type tarBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *tarBuffer) Close() error { b.closed = true; return nil }

// TestLoadStaged: a job found staged (in a registry, or a layout) is not
// solved but still loaded: its staged image goes to Load under its tags,
// with its digest, and the result says Loaded.
func TestLoadStaged(t *testing.T) {
	t.Parallel()
	job := &scheduler.Job{Arch: "arm64v8", Platform: "linux/arm64/v8", SourceID: "src", Froms: []string{"scratch"},
		Origins: []scheduler.Origin{{Repo: "foo", Tags: []string{"1.0", "latest"}}}}
	buildID := scheduler.BuildID(job.SourceID, job.Arch, nil)
	host := testRegistry(t)
	img := pushImage(t, host+"/staging-arm64v8:"+buildID, "arm64")
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	lay := openLayout(t)
	if _, err := lay.write(t.Context(), job.Arch, buildID, img); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]*Executor{
		"registry": {Staging: host + "/staging", Registry: NewRegistry()},
		"layout":   {Layout: lay},
	} {
		t.Run(name, func(t *testing.T) {
			var loads []*tarBuffer
			e.Load = func(context.Context) (io.WriteCloser, error) {
				b := &tarBuffer{}
				loads = append(loads, b)
				return b, nil
			}
			res, err := e.Build(t.Context(), workers.Worker{}, job, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.UpToDate || !res.Loaded || res.Digest != want.String() {
				t.Errorf("result %+v, want up to date, loaded, %s", res, want)
			}
			if len(loads) != 1 || !loads[0].closed {
				t.Fatalf("%d loads, want 1, closed", len(loads))
			}
			var idx struct{ Manifests []v1.Descriptor }
			tr := tar.NewReader(&loads[0].Buffer)
			for {
				h, err := tr.Next()
				if err != nil {
					break
				}
				if h.Name == "index.json" {
					if err := json.NewDecoder(tr).Decode(&idx); err != nil {
						t.Fatal(err)
					}
				}
			}
			var names []string
			for _, d := range idx.Manifests {
				if d.Digest != want {
					t.Errorf("index.json: %s, want %s", d.Digest, want)
				}
				names = append(names, d.Annotations["io.containerd.image.name"])
			}
			if diff := cmp.Diff([]string{"docker.io/library/foo:1.0", "docker.io/library/foo:latest"}, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}
