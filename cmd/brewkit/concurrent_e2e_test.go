package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/scheduler/record"
)

// The end-to-end tests of two brewkits at once on one cache and one
// registry, each in a process of its own (see startBrewkit).

// concurrentJobs is the number of jobs of concurrentLibrary.
const concurrentJobs = 4

// concurrentLibrary is base and good FROM base, for amd64 and arm64v8,
// good with the shared tag "shared".
func concurrentLibrary(t *testing.T, f *fixture) string {
	arches := []string{"amd64", "arm64v8"}
	return writeLibrary(t, map[string]string{
		"base": f.baseFile(arches...),
		"good": f.appFile("1", "good", arches...) + "SharedTags: shared\n",
	})
}

// concurrentIndexes are the platforms of each index concurrentLibrary
// publishes.
var concurrentIndexes = map[string][]string{
	"base:latest": {"linux/amd64", "linux/arm64/v8"},
	"good:1":      {"linux/amd64", "linux/arm64/v8"},
	"good:shared": {"linux/amd64", "linux/arm64/v8"},
}

// TestE2EConcurrentBuilds runs two `brewkit build --push` processes at
// once on one --cache, one staging prefix and one --push namespace: both
// must succeed, each job must be built by exactly one of them (the other
// finds it up to date, with the same digest), and every index must be
// published.
func TestE2EConcurrentBuilds(t *testing.T) {
	farm := farmtest.Require(t)
	lib := concurrentLibrary(t, newFixture(t, farm))
	ns := "e2e-concurrent-" + randomHex(t)
	cache, staging, to := t.TempDir(), farm.Registry+"/"+ns+"/staging", farm.Registry+"/"+ns+"/lib"

	var procs [2]*process
	var metas [2]string
	for i := range procs {
		metas[i] = filepath.Join(t.TempDir(), "metadata.json")
		procs[i] = startBrewkit(t, "--library", lib, "build", "--all", "--cache", cache, "--workers", farm.File,
			"--staging", staging, "--push", to, "--progress", "plain", "--metadata-file", metas[i])
	}
	for i, p := range procs {
		err := p.wait()
		t.Logf("process %d: %v\n%s", i, err, p.stdout.String())
		if err != nil {
			t.Errorf("process %d: %v\nstderr:\n%s", i, err, p.stderr.String())
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	checkBuiltOnce(t, metas)
	for i, p := range procs {
		got := pushLines(t, p.stdout.String(), to+"/")
		for tag, platforms := range concurrentIndexes {
			line := got[tag]
			if line.action != "written" && line.action != "up to date" {
				t.Errorf("process %d: %s: %+v, want written or up to date", i, tag, line)
				continue
			}
			checkPublishedIndex(t, to+"/"+tag, line.digest, platforms)
		}
	}
}

// checkBuiltOnce checks the metadata files of two builds at once: every
// job built by one, up to date in the other, with one digest.
func checkBuiltOnce(t *testing.T, metas [2]string) {
	t.Helper()
	builtBy := map[string][]int{} // "TAG ARCH" -> the processes that built it
	upToDate := map[string]int{}
	digests := map[string]map[string]bool{}
	for i, file := range metas {
		meta, err := record.ReadFile(file)
		if err != nil {
			t.Fatalf("process %d: --metadata-file: %v", i, err)
		}
		for _, j := range meta.Jobs {
			key := j.Tags[0] + " " + j.Arch
			switch j.Status {
			case "built":
				builtBy[key] = append(builtBy[key], i)
			case "up to date":
				upToDate[key]++
			default:
				t.Errorf("process %d: %s: %s (%s)", i, key, j.Status, j.Error)
			}
			if digests[key] == nil {
				digests[key] = map[string]bool{}
			}
			digests[key][j.Digest] = true
		}
	}
	if len(digests) != concurrentJobs {
		t.Errorf("%d jobs in the metadata files, want %d", len(digests), concurrentJobs)
	}
	var n [2]int
	for key, ds := range digests {
		if len(builtBy[key]) != 1 || upToDate[key] != 1 || len(ds) != 1 {
			t.Errorf("%s: built by processes %v, up to date in %d, digests %v; want built by one, up to date in the other, one digest",
				key, builtBy[key], upToDate[key], ds)
		}
		for _, p := range builtBy[key] {
			n[p]++
		}
	}
	t.Logf("jobs built by process 0: %d, by process 1: %d", n[0], n[1])
}

// TestE2EConcurrentPushes builds concurrentLibrary once, then runs two
// `brewkit push` processes at once on its metadata, to a namespace of
// their own, several times: both must succeed every time, and agree on
// every index. Before a manifest PUT answered MANIFEST_BLOB_UNKNOWN was
// tried again, every run failed within its first five rounds on the farm's
// registry (distribution 2.8, which rewrites a blob's link file in place
// when the other process mounts the blob).
func TestE2EConcurrentPushes(t *testing.T) {
	farm := farmtest.Require(t)
	lib := concurrentLibrary(t, newFixture(t, farm))
	ns := "e2e-concurrent-push-" + randomHex(t)
	meta := filepath.Join(t.TempDir(), "metadata.json")
	out, stderr, err := brewkit(t, buildEnv(t), "--library", lib, "build", "--all", "--cache", t.TempDir(), "--workers", farm.File,
		"--staging", farm.Registry+"/"+ns+"/staging", "--progress", "quiet", "--metadata-file", meta)
	if err != nil {
		t.Fatalf("brewkit build: %v\n%s\nstderr:\n%s", err, out, stderr)
	}
	const rounds = 8
	for round := range rounds {
		to := fmt.Sprintf("%s/%s/lib%d", farm.Registry, ns, round)
		var procs [2]*process
		for i := range procs {
			procs[i] = startBrewkit(t, "push", "--to", to, "--metadata-file", meta)
		}
		digests := map[string]string{}
		for i, p := range procs {
			if err := p.wait(); err != nil {
				t.Fatalf("round %d: process %d: %v\n%s\nstderr:\n%s", round, i, err, p.stdout.String(), p.stderr.String())
			}
			for tag, line := range pushLines(t, p.stdout.String(), to+"/") {
				if d, ok := digests[tag]; ok && d != line.digest {
					t.Errorf("round %d: %s: the processes pushed %s and %s", round, tag, d, line.digest)
				}
				digests[tag] = line.digest
			}
		}
		if len(digests) != len(concurrentIndexes) {
			t.Errorf("round %d: indexes %v, want %d", round, digests, len(concurrentIndexes))
		}
	}
}
