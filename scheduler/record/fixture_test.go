package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/brewkit/brewkit/scheduler"
)

// digest is a made-up digest: "sha256:" and 64 times c.
func digest(c string) string { return "sha256:" + strings.Repeat(c, 64) }

// testReport is a build of three entries of two repositories, as the
// runner reports it:
//
//   - base (library/base:2, tag "1", shared tag "latest"): FROM scratch,
//     built on amd64 (after a retry) and up to date on arm64v8;
//   - app (library/app:4): FROM base and an external alpine, built on
//     amd64; its arm64v8 build failed;
//   - base on ppc64le, which no worker builds;
//   - a job that could not be planned.
func testReport() *scheduler.Report {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	commit := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	base := scheduler.Origin{File: "library/base", Line: 2, Repo: "base", Tag: "1", Tags: []string{"1"}, SharedTags: []string{"latest"}}
	app := scheduler.Origin{File: "library/app", Line: 4, Repo: "app", Tag: "1", Tags: []string{"1"}}
	src := func(dir string) scheduler.Source {
		return scheduler.Source{GitRepo: "https://github.com/docker-library/" + dir + ".git", GitFetch: "refs/heads/main",
			GitCommit: strings.Repeat("c", 40), Directory: dir, File: "Dockerfile"}
	}
	job := func(name, arch, platform string, origins ...scheduler.Origin) *scheduler.Job {
		j := &scheduler.Job{ID: name + "-source/" + arch, Arch: arch, Platform: platform, Builder: scheduler.BuilderBuildKit,
			Source: src(name), Origins: origins, SourceID: name + "-source", CommitTime: commit}
		for _, o := range origins {
			for _, t := range append(append([]string{}, o.Tags...), o.SharedTags...) {
				j.Tags = append(j.Tags, o.Repo+":"+t)
			}
		}
		return j
	}
	baseAMD, baseARM, basePPC := job("base", "amd64", "linux/amd64", base), job("base", "arm64v8", "linux/arm64/v8", base), job("base", "ppc64le", "linux/ppc64le", base)
	for _, j := range []*scheduler.Job{baseAMD, baseARM, basePPC} {
		j.Froms, j.LastStageFrom = []string{"scratch"}, "scratch"
	}
	appAMD, appARM := job("app", "amd64", "linux/amd64", app), job("app", "arm64v8", "linux/arm64/v8", app)
	for _, p := range []struct{ j, parent *scheduler.Job }{{appAMD, baseAMD}, {appARM, baseARM}} {
		p.j.Froms, p.j.LastStageFrom = []string{"base:1", "alpine:3.21", "scratch"}, "scratch"
		p.j.Parents, p.j.External = []scheduler.Edge{{From: "base:1", Job: p.parent}}, []string{"alpine:3.21"}
		p.parent.Children = append(p.parent.Children, p.j)
	}
	planErr := fmt.Errorf("library/broken:3: commit %s not found", strings.Repeat("d", 40))
	broken := &scheduler.Job{ID: "error-5/amd64", Arch: "amd64", Platform: "linux/amd64", Tags: []string{"broken:1"},
		Source:  scheduler.Source{GitRepo: "https://github.com/docker-library/broken.git", GitCommit: strings.Repeat("d", 40), Directory: "1", File: "Dockerfile"},
		Origins: []scheduler.Origin{{File: "library/broken", Line: 3, Repo: "broken", Tag: "1", Tags: []string{"1"}}}, Err: planErr}

	ran := func(o *scheduler.Outcome, worker string, attempts int, took time.Duration) *scheduler.Outcome {
		o.Worker, o.Attempts, o.Start, o.End = worker, attempts, t0, t0.Add(took)
		return o
	}
	staged := func(arch, c, buildID string) scheduler.Result {
		return scheduler.Result{Ref: "registry.example/staging-" + arch + "@" + digest(c), Digest: digest(c), BuildID: buildID}
	}
	appParents := func(c string) []scheduler.Parent {
		return []scheduler.Parent{{From: "base:1", Digest: digest(c)}, {From: "alpine:3.21", Digest: digest("e")}}
	}
	return &scheduler.Report{Start: t0, End: t0.Add(90 * time.Second), Outcomes: []*scheduler.Outcome{
		ran(&scheduler.Outcome{Job: baseAMD, Status: scheduler.Built, Result: withBuildKit(staged("amd64", "1", "b1"), "v0.34.2")}, "amd64-2", 2, 3*time.Second),
		ran(&scheduler.Outcome{Job: baseARM, Status: scheduler.UpToDate, Result: upToDate(staged("arm64v8", "2", "b2"))}, "arm64v8", 1, 200*time.Millisecond),
		{Job: basePPC, Status: scheduler.Skipped, Err: fmt.Errorf("ppc64le: %w natively (allow emulation to build it anyway)", scheduler.ErrNoWorker)},
		ran(&scheduler.Outcome{Job: appAMD, Status: scheduler.Built, Result: withParents(withBuildKit(staged("amd64", "3", "b3"), "v0.34.2"), appParents("1"))}, "amd64-1", 1, 65*time.Second),
		ran(&scheduler.Outcome{Job: appARM, Status: scheduler.Failed, Err: fmt.Errorf(`app-source/arm64v8 on arm64v8: process "/bin/sh -c make" did not complete successfully: exit code: 2`)}, "arm64v8", 1, 12*time.Second),
		{Job: broken, Status: scheduler.Failed, Err: planErr},
	}}
}

func withBuildKit(r scheduler.Result, v string) scheduler.Result { r.BuildKit = v; return r }

func withParents(r scheduler.Result, p []scheduler.Parent) scheduler.Result { r.Parents = p; return r }

func upToDate(r scheduler.Result) scheduler.Result { r.UpToDate = true; return r }

// testRecord is the record of testReport, as FromReport should make it
// but for BrewkitVersion.
func testRecord() Record {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	commit := time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)
	epoch := commit.Unix()
	base := Entry{File: "library/base", Line: 2, Repo: "base", Tag: "1", Tags: []string{"1"}, SharedTags: []string{"latest"}}
	app := Entry{File: "library/app", Line: 4, Repo: "app", Tag: "1", Tags: []string{"1"}}
	src := func(dir string) Source {
		return Source{GitRepo: "https://github.com/docker-library/" + dir + ".git", GitFetch: "refs/heads/main",
			GitCommit: strings.Repeat("c", 40), Directory: dir, File: "Dockerfile"}
	}
	job := func(name, arch, platform string, e Entry, tags ...string) Job {
		return Job{ID: name + "-source/" + arch, Repos: []string{name}, Entries: []Entry{e}, Tags: tags,
			Arch: arch, Platform: platform, Builder: "buildkit", Source: src(name), CommitTime: commit, SourceDateEpoch: &epoch,
			SourceID: name + "-source", Froms: []From{{From: "scratch"}}, LastStageFrom: "scratch"}
	}
	baseJob := func(arch, platform string) Job { return job("base", arch, platform, base, "base:1", "base:latest") }
	appJob := func(arch, platform, baseDigest, alpineDigest string) Job {
		j := job("app", arch, platform, app, "app:1")
		j.Froms = []From{{From: "base:1", Digest: baseDigest, Job: "base-source/" + arch},
			{From: "alpine:3.21", Digest: alpineDigest, External: true}, {From: "scratch"}}
		return j
	}
	ran := func(j Job, status, worker string, attempts int, took time.Duration) Job {
		j.Status, j.Worker, j.Attempts, j.Start, j.End, j.Seconds = status, worker, attempts, t0, t0.Add(took), took.Seconds()
		return j
	}
	staged := func(j Job, arch, c, buildID string) Job {
		j.Image, j.Digest, j.BuildID = "registry.example/staging-"+arch+"@"+digest(c), digest(c), buildID
		return j
	}

	baseAMD := staged(ran(baseJob("amd64", "linux/amd64"), "built", "amd64-2", 2, 3*time.Second), "amd64", "1", "b1")
	baseAMD.BuildKit = "v0.34.2"
	baseARM := staged(ran(baseJob("arm64v8", "linux/arm64/v8"), "up to date", "arm64v8", 1, 200*time.Millisecond), "arm64v8", "2", "b2")
	basePPC := baseJob("ppc64le", "linux/ppc64le")
	basePPC.Status, basePPC.Error, basePPC.NoWorker = "skipped", "ppc64le: no worker builds this architecture natively (allow emulation to build it anyway)", true
	appAMD := staged(ran(appJob("amd64", "linux/amd64", digest("1"), digest("e")), "built", "amd64-1", 1, 65*time.Second), "amd64", "3", "b3")
	appAMD.BuildKit = "v0.34.2"
	// It failed: the digest of its in-plan FROM is its parent's, the
	// external one's is unknown.
	appARM := ran(appJob("arm64v8", "linux/arm64/v8", digest("2"), ""), "failed", "arm64v8", 1, 12*time.Second)
	appARM.Error = `app-source/arm64v8 on arm64v8: process "/bin/sh -c make" did not complete successfully: exit code: 2`
	broken := Job{ID: "error-5/amd64", Repos: []string{"broken"}, Tags: []string{"broken:1"}, Arch: "amd64", Platform: "linux/amd64",
		Entries: []Entry{{File: "library/broken", Line: 3, Repo: "broken", Tag: "1", Tags: []string{"1"}}},
		Source:  Source{GitRepo: "https://github.com/docker-library/broken.git", GitCommit: strings.Repeat("d", 40), Directory: "1", File: "Dockerfile"},
		Status:  "failed", Error: "library/broken:3: commit " + strings.Repeat("d", 40) + " not found"}

	return Record{SchemaVersion: Version, Start: t0, End: t0.Add(90 * time.Second), Seconds: 90,
		Jobs: []Job{baseAMD, baseARM, basePPC, appAMD, appARM, broken}}
}
