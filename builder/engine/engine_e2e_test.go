package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// TestE2EEngineHeldByADaemon holds one Engine as the daemon will: two
// builds of different libraries at once on the farm, then their indexes
// published, then a second build of the same plan that builds nothing.
func TestE2EEngineHeldByADaemon(t *testing.T) {
	farm := farmtest.Require(t)
	git := farmtest.GitDaemon(t)
	nonce := fmt.Sprint(time.Now().UnixNano()) // images no earlier run staged
	url, commit := git.NewRepo(t, "app", map[string]string{
		"base/Dockerfile":  "FROM scratch\nCOPY nonce /base-nonce\n",
		"base/nonce":       nonce,
		"child/Dockerfile": "FROM base:1\nCOPY nonce /child-nonce\n",
		"child/nonce":      nonce,
		"other/Dockerfile": "FROM scratch\nCOPY nonce /other-nonce\n",
		"other/nonce":      nonce,
	})
	lib := t.TempDir()
	entry := func(tag, dir string) string {
		return fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: %s\nArchitectures: amd64, arm64v8\nGitCommit: %s\nDirectory: %s\n", url, tag, commit, dir)
	}
	for name, text := range map[string]string{"base": entry("1", "base"), "child": entry("1", "child"), "other": entry("1", "other")} {
		if err := os.WriteFile(filepath.Join(lib, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	target, err := engine.Farm(farm.Workers, farm.Registry, farm.Registry+"/engine-e2e/staging")
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

	plans := [2]*scheduler.Plan{plan(t, e, lib, "base", "child"), plan(t, e, lib, "other")}
	var builds [2]*engine.Build
	var g errgroup.Group
	for i := range plans {
		g.Go(func() (err error) {
			builds[i], err = e.Build(t.Context(), plans[i], engine.BuildOptions{})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for i, b := range builds {
		if b.Report.Count(scheduler.Built) != len(plans[i].Jobs) {
			t.Fatalf("build %d: %d of %d jobs built: %v", i, b.Report.Count(scheduler.Built), len(plans[i].Jobs), b.Report.Err())
		}
	}
	to := farm.Registry + "/engine-e2e-" + nonce
	summary, err := e.Publish(t.Context(), builds[0].Report, engine.PublishOptions{To: to})
	if err != nil {
		t.Fatal(err)
	}
	if n := summary.Count(publish.Written); n != 2 {
		t.Errorf("published %d indexes, want base:1 and child:1", n)
	}
	for _, tag := range []string{"base:1", "child:1"} {
		farmtest.CheckValid(t, to+"/"+tag)
	}
	again, err := e.Build(t.Context(), plans[0], engine.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Report.Count(scheduler.UpToDate); n != len(plans[0].Jobs) {
		t.Errorf("the same plan again: %d of %d jobs up to date: %v", n, len(plans[0].Jobs), again.Report.Err())
	}
}

func plan(t *testing.T, e *engine.Engine, lib string, names ...string) *scheduler.Plan {
	t.Helper()
	var repos []*manifest.Repo
	for _, n := range names {
		r, err := (&manifest.Loader{Library: lib}).Load(t.Context(), n)
		if err != nil {
			t.Fatal(err)
		}
		repos = append(repos, r)
	}
	p, err := e.Plan(t.Context(), repos, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Jobs {
		if j.Err != nil {
			t.Fatalf("plan: %s: %v", j, j.Err)
		}
	}
	return p
}
