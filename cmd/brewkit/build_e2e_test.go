package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// The end-to-end tests of `brewkit plan` and `brewkit build` on the farm
// (hack/farm up), over a library of their own served by a git daemon.

// TestE2EBuild builds the fixture library on the farm, checks every image
// in the registry, and builds it again to find everything up to date; its
// subtests then run broken libraries and broken farms beside it.
func TestE2EBuild(t *testing.T) {
	farm := farmtest.Require(t)
	f := newFixture(t, farm)
	t.Run("library", func(t *testing.T) { testLibrary(t, f) })
	t.Run("failure isolation", func(t *testing.T) { t.Parallel(); testFailureIsolation(t, f) })
	t.Run("bad input", func(t *testing.T) { t.Parallel(); testBadInput(t, f) })
	t.Run("dead second amd64 worker", func(t *testing.T) { t.Parallel(); testDeadSecondWorker(t, f) })
	t.Run("dead only s390x worker", func(t *testing.T) { t.Parallel(); testDeadOnlyWorker(t, f) })
}

// testLibrary plans and builds the whole fixture, then builds it again.
func testLibrary(t *testing.T, f *fixture) {
	lib, cache, staging := f.library(t), t.TempDir(), stagingPrefix(t, f.farm)
	checkPlan(t, f, lib, cache)
	checkStates(t, f, lib, cache, staging, nil)

	first := build(t, lib, f.farm.File, staging, cache)
	if first.err != nil {
		t.Fatalf("brewkit build: %v\nstderr:\n%s", first.err, first.stderr)
	}
	checkSkippedWindows(t, first.stderr)
	const jobs = 18 // base 4, mid 4, top 4, imported 2, onimport 2, alpha+beta 2
	if got, want := first.totals(), fmt.Sprintf("%d built, 0 up to date, 0 failed, 0 skipped, 0 cancelled", jobs); got != want {
		t.Errorf("first build: summary %q, want %q", got, want)
	}
	checkImages(t, f, staging, first)
	checkStates(t, f, lib, cache, staging, &first.meta)
	checkRecord(t, first.meta, true)

	second := build(t, lib, f.farm.File, staging, cache)
	if second.err != nil {
		t.Fatalf("second brewkit build: %v\nstderr:\n%s", second.err, second.stderr)
	}
	if got, want := second.totals(), fmt.Sprintf("0 built, %d up to date, 0 failed, 0 skipped, 0 cancelled", jobs); got != want {
		t.Errorf("second build: summary %q, want %q", got, want)
	}
	for i, j := range second.meta.Jobs {
		if j.Status != "up to date" || i >= len(first.meta.Jobs) || j.Digest != first.meta.Jobs[i].Digest {
			t.Errorf("second build: %s %s is %s, %s; want up to date with the first build's digest", j.Tags[0], j.Arch, j.Status, j.Digest)
		}
	}
	checkRecord(t, second.meta, false)
	t.Logf("first build %s (%d jobs built), second build %s (all up to date)",
		first.took.Round(10*time.Millisecond), jobs, second.took.Round(10*time.Millisecond))
}

// checkRecord checks the inputs a build record gives each job of the
// fixture: its commit time, and every FROM with the digest it resolved
// to (scratch with none), an in-plan one with the job that built it and
// that job's digest, the digests giving its build id again; and, when
// built, the BuildKit version of the jobs BuildKit built (not the
// oci-import ones), none when up to date.
func checkRecord(t *testing.T, rec record.Record, built bool) {
	t.Helper()
	if rec.SchemaVersion != record.Version || rec.Start.IsZero() || rec.End.Before(rec.Start) {
		t.Errorf("build record: schema version %d, %s to %s", rec.SchemaVersion, rec.Start, rec.End)
	}
	digests := map[string]string{}
	for _, j := range rec.Jobs {
		digests[j.ID] = j.Digest
	}
	for _, j := range rec.Jobs {
		name := j.Tags[0] + " " + j.Arch
		if j.CommitTime.IsZero() || j.SourceDateEpoch == nil || *j.SourceDateEpoch != j.CommitTime.Unix() {
			t.Errorf("%s: commit time %s, SOURCE_DATE_EPOCH %v", name, j.CommitTime, j.SourceDateEpoch)
		}
		if wantBuildKit := built && j.Builder == "buildkit"; (j.BuildKit != "") != wantBuildKit {
			t.Errorf("%s (%s, %s): BuildKit version %q; want one: %t", name, j.Builder, j.Status, j.BuildKit, wantBuildKit)
		}
		if len(j.Froms) == 0 {
			t.Errorf("%s: no FROMs", name)
		}
		var parents []scheduler.Parent
		for _, from := range j.Froms {
			if from.From != "scratch" {
				parents = append(parents, scheduler.Parent{From: from.From, Digest: from.Digest})
			}
			switch {
			case from.From == "scratch":
				if from.Digest != "" || from.Job != "" || from.External {
					t.Errorf("%s: FROM scratch %+v", name, from)
				}
			case from.Job != "":
				if from.Digest == "" || from.Digest != digests[from.Job] || from.External {
					t.Errorf("%s: FROM %s built by %s (%s) resolved to %q", name, from.From, from.Job, digests[from.Job], from.Digest)
				}
			case !from.External || !strings.HasPrefix(from.Digest, "sha256:"):
				t.Errorf("%s: FROM %+v: want an external one with a digest", name, from)
			}
		}
		if id := scheduler.BuildID(j.SourceID, j.Arch, parents); id != j.BuildID {
			t.Errorf("%s: build id %s, but the record's inputs give %s", name, j.BuildID, id)
		}
	}
}

// checkStates checks what `brewkit plan --staging` says of each job: before
// a build (built == nil), jobs with no parent in the plan are "to build"
// with their build id and the others wait for their parents; after it,
// every job is up to date, with the build id and image the build recorded.
func checkStates(t *testing.T, f *fixture, lib, cache, staging string, built *record.Record) {
	t.Helper()
	out, stderr, err := brewkit(t, buildEnv(t), "--library", lib, "plan", "--all", "--cache", cache,
		"--workers", f.farm.File, "--staging", staging, "--format", "json")
	var p planJSON
	if jerr := json.Unmarshal([]byte(out), &p); err != nil || jerr != nil {
		t.Fatalf("brewkit plan --staging: %v, %v\nstderr:\n%s", err, jerr, stderr)
	}
	recorded := map[string]string{} // "first-tag arch" -> build id
	images := map[string]string{}
	if built != nil {
		for _, j := range built.Jobs {
			recorded[j.Tags[0]+" "+j.Arch], images[j.Tags[0]+" "+j.Arch] = j.BuildID, j.Image
		}
	}
	for _, j := range p.Jobs {
		key := j.Tags[0] + " " + j.Arch
		switch {
		case built != nil:
			if j.State != "up to date" || j.BuildID != recorded[key] || j.Image != images[key] {
				t.Errorf("plan after the build: %s is %q, build id %s, image %s; want up to date, %s, %s", key, j.State, j.BuildID, j.Image, recorded[key], images[key])
			}
		case len(j.Parents) == 0:
			if j.State != "to build" || len(j.BuildID) != 64 {
				t.Errorf("plan before the build: %s is %q with build id %q; want to build, with a build id", key, j.State, j.BuildID)
			}
		case j.State != "after its parents" || j.BuildID != "":
			t.Errorf("plan before the build: %s is %q with build id %q; want after its parents, no build id yet", key, j.State, j.BuildID)
		}
	}
}

// checkSkippedWindows checks that the only arch left out is windows-amd64,
// on a single line.
func checkSkippedWindows(t *testing.T, stderr string) {
	t.Helper()
	var skips []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "skipping ") {
			skips = append(skips, l)
		}
	}
	if len(skips) != 1 || !strings.HasPrefix(skips[0], "skipping 1 windows-amd64 job(s): ") {
		t.Errorf("skipping lines on stderr: %q; want one, skipping 1 windows-amd64 job(s)", skips)
	}
}

// checkPlan checks the fixture's plan: the shared source is one job per
// arch for both repositories, and the FROM edges link base -> mid -> top
// and imported -> onimport.
func checkPlan(t *testing.T, f *fixture, lib, cache string) {
	t.Helper()
	p, err := plan(t, lib, f.farm.File, cache)
	if err != nil {
		t.Fatalf("brewkit plan: %v", err)
	}
	tagOf := map[string]string{} // job id -> first tag
	for _, j := range p.Jobs {
		tagOf[j.ID] = j.Tags[0]
	}
	got := map[string][]string{} // "TAG ARCH" -> "FROM=PARENT-TAG"...
	for _, j := range p.Jobs {
		if j.Error != "" {
			t.Errorf("plan: %s %s: %s", j.Tags[0], j.Arch, j.Error)
		}
		edges := []string{}
		for _, e := range j.Parents {
			edges = append(edges, e.From+"="+tagOf[e.Job])
		}
		got[j.Tags[0]+" "+j.Arch] = edges
		if j.Tags[0] == "alpha:1" {
			if diff := cmp.Diff([]string{"alpha", "beta"}, j.Repos); diff != "" {
				t.Errorf("plan: the shared job for %s: repos (-want +got):\n%s", j.Arch, diff)
			}
			if diff := cmp.Diff([]string{"alpha:1", "beta:2", "beta:latest"}, j.Tags); diff != "" {
				t.Errorf("plan: the shared job for %s: tags (-want +got):\n%s", j.Arch, diff)
			}
		}
		if wantBuilder := map[bool]string{true: "oci-import", false: "buildkit"}[j.Tags[0] == "imported:1"]; j.Builder != wantBuilder {
			t.Errorf("plan: %s %s: builder %q, want %q", j.Tags[0], j.Arch, j.Builder, wantBuilder)
		}
	}
	want := map[string][]string{}
	for arch := range farmArches {
		want["base:latest "+arch] = []string{}
		want["mid:1 "+arch] = []string{"base:latest=base:latest"}
		want["top:1 "+arch] = []string{"base:latest=base:latest", "mid:1=mid:1"}
	}
	for _, arch := range []string{"amd64", "ppc64le"} {
		want["alpha:1 "+arch] = []string{"base:latest=base:latest"} // and not beta:2: one job
	}
	for _, arch := range ociArches {
		want["imported:1 "+arch] = []string{}
		want["onimport:1 "+arch] = []string{"imported:1=imported:1"}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan: jobs and their FROM edges (-want +got):\n%s", diff)
	}
	if len(p.Unplanned) != 1 || p.Unplanned[0].Arch != "windows-amd64" {
		t.Errorf("plan: unplanned %+v, want top's windows-amd64 only", p.Unplanned)
	}
}

// imageWant is what a job's image must hold besides its platform.
type imageWant struct {
	commit   string // org.opencontainers.image.revision
	baseName string // org.opencontainers.image.base.name, and its job's tag
	b        bool   // /b is "built-on-" the arch's machine
}

// checkImages checks every job of r: built, pushed to its staging
// repository, for its platform, with the production annotations, and
// RUN uname -m in it printed its arch.
func checkImages(t *testing.T, f *fixture, staging string, r run) {
	t.Helper()
	wants := map[string]imageWant{
		"base:latest": {commit: f.baseCommit},
		"mid:1":       {commit: f.appCommit, baseName: "base:latest"},
		"top:1":       {commit: f.appCommit, baseName: "mid:1", b: true},
		"alpha:1":     {commit: f.appCommit, baseName: "base:latest"},
		"onimport:1":  {commit: f.appCommit, baseName: "imported:1"},
	}
	digests := map[string]string{} // "TAG ARCH" -> digest
	for _, j := range r.meta.Jobs {
		digests[j.Tags[0]+" "+j.Arch] = j.Digest
	}
	for _, j := range r.meta.Jobs {
		job := j.Tags[0] + " " + j.Arch
		if j.Status != "built" || j.Digest == "" || j.Image != staging+"-"+j.Arch+"@"+j.Digest {
			t.Errorf("%s: %s, image %q, digest %q; want built, pushed to %s-%s", job, j.Status, j.Image, j.Digest, staging, j.Arch)
			continue
		}
		img := pull(t, j.Image)
		checkPlatform(t, job, img, j.Arch)
		if j.Tags[0] == "imported:1" {
			if j.Digest != f.ociDigests[j.Arch] {
				t.Errorf("%s: digest %s, want the committed manifest's, %s", job, j.Digest, f.ociDigests[j.Arch])
			}
			continue
		}
		if j.Tags[0] == "alpha:1" {
			if diff := cmp.Diff([]string{"alpha:1", "beta:2", "beta:latest"}, j.Tags); diff != "" {
				t.Errorf("%s: the job of the source alpha and beta share: tags (-want +got):\n%s", job, diff)
			}
		}
		w, ok := wants[j.Tags[0]]
		if !ok {
			t.Errorf("%s: an unexpected job", job)
			continue
		}
		checkAnnotations(t, job, img, j.Arch, w, digests[w.baseName+" "+j.Arch])
		checkFiles(t, job, img, j.Arch, w.b)
	}
}

// checkPlatform checks the OS, architecture and variant of img's config:
// an arm64v8 image's says variant v8, as its index descriptor does and as
// production's arm64v8 images do (BuildKit alone would leave it out).
func checkPlatform(t *testing.T, job string, img v1.Image, arch string) {
	t.Helper()
	want, err := platforms.OCI(arch)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("%s: config: %v", job, err)
	}
	if cfg.OS != want.OS || cfg.Architecture != want.Architecture || cfg.Variant != want.Variant {
		t.Errorf("%s: config platform %s/%s/%s, want %s", job, cfg.OS, cfg.Architecture, cfg.Variant, platforms.Format(want))
	}
}

func checkAnnotations(t *testing.T, job string, img v1.Image, arch string, w imageWant, baseDigest string) {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatalf("%s: manifest: %v", job, err)
	}
	got := map[string]string{}
	for _, k := range []string{"org.opencontainers.image.revision", "com.docker.official-images.bashbrew.arch",
		"org.opencontainers.image.base.name", "org.opencontainers.image.base.digest"} {
		if v, ok := m.Annotations[k]; ok {
			got[k] = v
		}
	}
	want := map[string]string{"org.opencontainers.image.revision": w.commit, "com.docker.official-images.bashbrew.arch": arch}
	if w.baseName != "" {
		want["org.opencontainers.image.base.name"] = w.baseName
		want["org.opencontainers.image.base.digest"] = baseDigest // the parent job's image
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: annotations (-want +got):\n%s", job, diff)
	}
}

// checkFiles checks /arch, written by RUN uname -m, and /b, written on the
// build platform, which is the arch's own.
func checkFiles(t *testing.T, job string, img v1.Image, arch string, b bool) {
	t.Helper()
	files, err := readFiles(img, "arch", "b")
	if err != nil {
		t.Fatalf("%s: %v", job, err)
	}
	want := map[string]string{"arch": farmArches[arch] + "\n"}
	if b {
		want["b"] = "built-on-" + farmArches[arch] + "\n"
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("%s: files (-want +got):\n%s", job, diff)
	}
}

// testFailureIsolation builds a job whose RUN fails, a child of it, and
// unrelated jobs: only the child is skipped.
func testFailureIsolation(t *testing.T, f *fixture) {
	lib := f.smallLibrary(t, []string{"amd64"}, map[string]string{
		"failing":   f.appFile("1", "failing", "amd64"),
		"afterfail": f.appFile("1", "afterfail", "amd64"),
	})
	r := build(t, lib, f.farm.File, stagingPrefix(t, f.farm), t.TempDir())
	if r.err == nil || r.err.Error() != "1 failed, 1 skipped because of them, 0 cancelled" {
		t.Errorf("brewkit build: error %v, want 1 failed, 1 skipped because of them", r.err)
	}
	want := map[string]string{"base:latest amd64": "built", "good:1 amd64": "built", "failing:1 amd64": "failed", "afterfail:1 amd64": "skipped"}
	if diff := cmp.Diff(want, r.statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, j := range r.meta.Jobs {
		switch j.Tags[0] {
		case "failing:1":
			if !strings.Contains(j.Error, "exit code: 3") {
				t.Errorf("failing:1: error %q, want the RUN's exit code: 3", j.Error)
			}
		case "afterfail:1":
			if want := "skipped because failing:1 (amd64) failed"; j.Error != want {
				t.Errorf("afterfail:1: error %q, want %q", j.Error, want)
			}
		}
	}
}

// testBadInput plans and builds entries that cannot be built beside good
// ones: each is reported with its file, entry and arch; the rest builds.
func testBadInput(t *testing.T, f *fixture) {
	missing := strings.Repeat("0123456789", 4) // a commit id nobody made
	lib := f.smallLibrary(t, []string{"amd64"}, map[string]string{
		"escape":   f.appFile("1", "../../etc", "amd64"),
		"nocommit": strings.Replace(f.appFile("1", "mid", "amd64"), f.appCommit, missing, 1),
		"nofile":   f.appFile("1", "mid", "amd64") + "File: Nope.dockerfile\n",
	})
	// What each error must say besides "LIB/REPO:5 (REPO:1) for amd64", 5
	// being the entry's first line.
	problems := map[string]string{"escape:1": "../../etc", "nocommit:1": missing, "nofile:1": "Nope.dockerfile"}
	wantErr := func(tag string) string {
		repo, _, _ := strings.Cut(tag, ":")
		return fmt.Sprintf("%s:5 (%s) for amd64: ", filepath.Join(lib, repo), tag)
	}

	cache := t.TempDir()
	p, err := plan(t, lib, f.farm.File, cache)
	if err == nil || !strings.HasSuffix(err.Error(), "3 of 5 jobs cannot be built") {
		t.Errorf("brewkit plan: error %v, want 3 of 5 jobs cannot be built", err)
	}
	for _, j := range p.Jobs {
		detail, bad := problems[j.Tags[0]]
		if bad != (j.Error != "") || bad && (!strings.HasPrefix(j.Error, wantErr(j.Tags[0])) || !strings.Contains(j.Error, detail)) {
			t.Errorf("plan: %s %s: error %q; want one only for a bad entry, starting %q and naming %q", j.Tags[0], j.Arch, j.Error, wantErr(j.Tags[0]), detail)
		}
	}
	out, _, _ := brewkit(t, buildEnv(t), "--library", lib, "plan", "--all", "--cache", cache, "--workers", f.farm.File)
	for tag := range problems {
		if !hasRow(out, tag, wantErr(tag)) {
			t.Errorf("plan table: no row for %s with PROBLEM %q...:\n%s", tag, wantErr(tag), out)
		}
	}

	r := build(t, lib, f.farm.File, stagingPrefix(t, f.farm), cache)
	if r.err == nil || !strings.HasPrefix(r.err.Error(), "3 failed, ") {
		t.Errorf("brewkit build: error %v, want 3 failed", r.err)
	}
	want := map[string]string{"base:latest amd64": "built", "good:1 amd64": "built",
		"escape:1 amd64": "failed", "nocommit:1 amd64": "failed", "nofile:1 amd64": "failed"}
	if diff := cmp.Diff(want, r.statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, j := range r.meta.Jobs {
		if detail, bad := problems[j.Tags[0]]; bad && (!strings.HasPrefix(j.Error, wantErr(j.Tags[0])) || !strings.Contains(j.Error, detail)) {
			t.Errorf("build: %s: error %q, want one starting %q and naming %q", j.Tags[0], j.Error, wantErr(j.Tags[0]), detail)
		}
	}
}

// testDeadSecondWorker builds with a dead amd64 worker listed before the
// farm's: jobs sent there are retried on the live one, and it gets no more.
func testDeadSecondWorker(t *testing.T, f *fixture) {
	ws := [][3]string{{"amd64-dead", deadSocket(t), "amd64"}}
	for _, w := range f.farm.Workers {
		ws = append(ws, [3]string{w.Name, w.Address, strings.Join(w.Arches, ", ")})
	}
	lib := f.smallLibrary(t, []string{"amd64", "arm64v8"}, nil)
	r := build(t, lib, workersFile(t, f.farm, ws...), stagingPrefix(t, f.farm), t.TempDir())
	if r.err != nil {
		t.Fatalf("brewkit build with a dead amd64 worker beside a live one: %v\nstderr:\n%s", r.err, r.stderr)
	}
	retried := 0
	for _, j := range r.meta.Jobs {
		if j.Status != "built" || j.Worker == "amd64-dead" {
			t.Errorf("%s %s: %s on %s, want built on a live worker", j.Tags[0], j.Arch, j.Status, j.Worker)
		}
		if j.Attempts > 1 {
			retried++
		}
	}
	// The dead worker comes first, so it gets the first wave of jobs (at
	// most its slots); once one fails there it is down, and gets no more.
	if retried > workers.DefaultConcurrency {
		t.Errorf("%d jobs were retried after failing on amd64-dead; want at most its %d slots' worth: a worker that is down gets no new job", retried, workers.DefaultConcurrency)
	}
	t.Logf("%d of %d jobs were retried after failing on amd64-dead", retried, len(r.meta.Jobs))
}

// testDeadOnlyWorker builds with a dead worker as the only s390x one: the
// s390x jobs fail naming it, the others build.
func testDeadOnlyWorker(t *testing.T, f *fixture) {
	var ws [][3]string
	for _, w := range f.farm.Workers {
		if !slices.Contains(w.Arches, "s390x") {
			ws = append(ws, [3]string{w.Name, w.Address, strings.Join(w.Arches, ", ")})
		}
	}
	ws = append(ws, [3]string{"s390x-dead", deadSocket(t), "s390x"})
	lib := f.smallLibrary(t, []string{"amd64", "s390x"}, nil)
	r := build(t, lib, workersFile(t, f.farm, ws...), stagingPrefix(t, f.farm), t.TempDir())
	if r.err == nil || r.err.Error() != "1 failed, 1 skipped because of them, 0 cancelled" {
		t.Errorf("brewkit build: error %v, want 1 failed, 1 skipped because of them", r.err)
	}
	want := map[string]string{"base:latest amd64": "built", "good:1 amd64": "built", "base:latest s390x": "failed", "good:1 s390x": "skipped"}
	if diff := cmp.Diff(want, r.statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, j := range r.meta.Jobs {
		// One build attempt marks the worker down; probes, not more jobs,
		// then find it still down, and the job gives up.
		if j.Tags[0] == "base:latest" && j.Arch == "s390x" && (!strings.Contains(j.Error, "worker s390x-dead is down after 3 failures in a row") || j.Attempts != 1) {
			t.Errorf("base:latest s390x: error %q after %d attempts; want 1 attempt and an error saying worker s390x-dead is down", j.Error, j.Attempts)
		}
	}
}
