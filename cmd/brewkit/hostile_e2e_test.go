package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/sourcetest"
)

// TestE2EHostileSources runs the hostile corpus of package sourcetest
// through `brewkit plan` and `brewkit build` on the farm: every case from
// a local repository (its context sent by brewkit) and again from a
// git:// remote, built with --worker-fetch (oci-import read by brewkit,
// Dockerfiles fetched by BuildKit's git source). Each is refused where the corpus says, with its message, or
// builds an image holding nothing from outside; nothing is written
// outside, and no output carries the secret.
func TestE2EHostileSources(t *testing.T) {
	farm := farmtest.Require(t)
	o := sourcetest.NewOutside(t)
	defer o.Check(t)
	git := farmtest.GitDaemon(t)
	// The remote variant is built for another arch: the same source from
	// two GitRepos would otherwise be one job.
	cases, files := map[string]sourcetest.Case{}, map[string]string{}
	for _, c := range sourcetest.Hostile() {
		local := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), c.Name))
		cases[c.Name], files[c.Name] = c, hostileEntry(c, o, local.Dir, local.CommitNodes(c.Tree(t, o, "amd64")...), "amd64")
		if c.GitRepo == nil {
			remote := sourcetest.NewRepo(t, filepath.Join(git.Dir, c.Name))
			commit := remote.CommitNodes(c.Tree(t, o, "arm64v8")...)
			cases[c.Name+"-remote"], files[c.Name+"-remote"] = c, hostileEntry(c, o, git.URL(c.Name), commit, "arm64v8")
		}
	}
	lib, cache, staging := writeLibrary(t, files), t.TempDir(), stagingPrefix(t, farm)

	p, planErr := plan(t, lib, farm.File, cache)
	if planErr == nil {
		t.Error("brewkit plan exited 0 on the hostile library")
	}
	planned := map[string]string{} // first tag -> the job's error
	for _, j := range p.Jobs {
		planned[j.Tags[0]] = j.Error
	}
	r := build(t, lib, farm.File, staging, cache, "--worker-fetch")
	built := map[string]int{}
	for i, j := range r.meta.Jobs {
		built[j.Tags[0]] = i
	}
	for name, c := range cases {
		tag := name + ":" + c.Name
		planned, inPlan := planned[tag]
		i, inBuild := built[tag]
		switch {
		case !inPlan || !inBuild:
			t.Errorf("%s: not in the plan (%v) or the build (%v)", name, inPlan, inBuild)
		case c.Stage == sourcetest.Plan:
			if !strings.Contains(planned, c.Refusal) {
				t.Errorf("%s: plan says %q, want a refusal containing %q", name, planned, c.Refusal)
			}
		case planned != "":
			t.Errorf("%s: plan refused it: %s", name, planned)
		case c.Stage == sourcetest.Build:
			if j := r.meta.Jobs[i]; j.Status != "failed" || !strings.Contains(j.Error, c.Refusal) {
				t.Errorf("%s: build %s: %q, want failed with %q", name, j.Status, j.Error, c.Refusal)
			}
		default:
			checkHarmless(t, name, r.meta.Jobs[i].Status, r.meta.Jobs[i].Error, r.meta.Jobs[i].Image, o)
		}
	}
	for what, text := range map[string]string{"build stdout": r.stdout, "build stderr": r.stderr, "plan error": fmt.Sprint(planErr)} {
		if o.Leaked([]byte(text)) {
			t.Errorf("the %s carries the secret", what)
		}
	}
	t.Logf("%d hostile entries (%d cases), plan and build in %s", len(cases), len(sourcetest.Hostile()), r.took)
}

// hostileEntry is the library file of case c, committed in repo, for arch.
func hostileEntry(c sourcetest.Case, o *sourcetest.Outside, repo, commit, arch string) string {
	if c.GitRepo != nil {
		repo = c.GitRepo(o, repo)
	}
	e := fmt.Sprintf("Maintainers: Hostile Tester (@hostile)\n\nTags: %s\nArchitectures: %s\nGitRepo: %s\nGitFetch: refs/heads/main\nGitCommit: %s\n",
		c.Name, arch, repo, commit)
	for k, v := range map[string]string{"Directory": c.Directory, "File": c.File, "Builder": c.Builder} {
		if v != "" {
			e += k + ": " + v + "\n"
		}
	}
	return e
}

// checkHarmless checks that a harmless case built, and that its image
// holds nothing of the secret.
func checkHarmless(t *testing.T, name, status, errText, image string, o *sourcetest.Outside) {
	t.Helper()
	if status != "built" && status != "up to date" { // up to date: the same source from another GitRepo built it
		t.Errorf("%s: %s (%s), want built", name, status, errText)
		return
	}
	rc := mutate.Extract(pull(t, image))
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: reading %s: %v", name, image, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: reading %s: %v", name, image, err)
		}
		if o.Leaked(data) {
			t.Errorf("%s: %s in %s holds the secret", name, h.Name, image)
		}
	}
}
