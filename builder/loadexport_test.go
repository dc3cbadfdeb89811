package builder

import (
	"context"
	"io"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler"
)

// TestLoadExport: the docker exporter's attrs make the image the main
// export makes (so the image loaded is the one staged, byte for byte,
// digest included), whichever the stage; only the destination differs,
// and it names every tag as a full reference.
func TestLoadExport(t *testing.T) {
	job := &scheduler.Job{
		Arch: "arm64v8", Platform: "linux/arm64/v8",
		Source:        scheduler.Source{GitRepo: "https://example.com/foo", GitCommit: "6d541d27", File: "Dockerfile"},
		Origins:       []scheduler.Origin{{Repo: "foo", Tag: "1.0", Tags: []string{"1.0", "latest"}}, {Repo: "bar", Tag: "2", Tags: []string{"2"}}},
		CommitTime:    time.Unix(1700741054, 0),
		LastStageFrom: "scratch",
	}
	for name, st := range map[string]stage{"registry": &registryStage{prefix: "reg/staging"}, "layout": openLayout(t)} {
		t.Run(name, func(t *testing.T) {
			r := &request{job: job, buildID: "BUILDID",
				load: func(context.Context) (io.WriteCloser, error) { return nil, nil }}
			r.export, r.stores = st.export(job.Arch, r.buildID)
			main := maps.Clone(r.solveOpt().Exports[0].Attrs)
			for k := range r.export.Attrs { // the stage's destination
				delete(main, k)
			}
			load := maps.Clone(r.loadExport(t.Context()).Attrs)
			if got, want := load["name"], "docker.io/library/foo:1.0,docker.io/library/foo:latest,docker.io/library/bar:2"; got != want {
				t.Errorf("load names %q, want %q", got, want)
			}
			delete(load, "name")
			if diff := cmp.Diff(main, load); diff != "" {
				t.Errorf("the load's image attrs differ from the main export's (-main +load):\n%s", diff)
			}
			if len(load) < 3 {
				t.Errorf("load attrs %v: want media types, timestamps and annotations", load)
			}
		})
	}
}
