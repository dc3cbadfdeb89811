package main

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// TestE2EBuildTagConflict builds, with --push, a library where two
// entries of good give the shared tag good:shared an amd64 image from
// different sources: build reports the conflict before building, builds
// every job, publishes every other tag, not good:shared, and exits
// non-zero.
func TestE2EBuildTagConflict(t *testing.T) {
	farm := farmtest.Require(t)
	f := newFixture(t, farm)
	lib := writeLibrary(t, map[string]string{
		"base": f.baseFile("amd64", "arm64v8"),
		"good": f.appFile("1", "good", "amd64", "arm64v8") + "SharedTags: shared\n\n" +
			strings.TrimPrefix(f.appFile("2", "mid", "amd64"), maintainers+"GitRepo: "+f.appURL+"\nGitCommit: "+f.appCommit+"\n\n") + "SharedTags: shared\n",
	})
	ns := "e2e-conflict-" + randomHex(t)
	to := farm.Registry + "/" + ns + "/lib"
	r := build(t, lib, farm.File, farm.Registry+"/"+ns+"/staging", t.TempDir(), "--push", to)

	if r.err == nil || !errors.Is(r.err, errTagConflicts) || !strings.Contains(r.err.Error(), "good:shared") {
		t.Errorf("brewkit build --push: error %v, want one saying good:shared is not published", r.err)
	}
	good := filepath.Join(lib, "good")
	conflict := good + `:10: Tags "2": shared tag good:shared would get a second amd64 image: the entry at ` + good + `:5 (Tags "1")`
	at, firstJob := strings.Index(r.stderr, conflict), strings.Index(r.stderr, "base:latest (amd64)")
	if at < 0 || firstJob >= 0 && firstJob < at {
		t.Errorf("stderr: the conflict (at %d) is not reported before the first job's progress (at %d):\n%s", at, firstJob, r.stderr)
	}
	want := map[string]string{"base:latest amd64": "built", "base:latest arm64v8": "built",
		"good:1 amd64": "built", "good:1 arm64v8": "built", "good:2 amd64": "built"}
	if diff := cmp.Diff(want, r.statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	actions := map[string]string{}
	for tag, line := range pushLines(t, r.stdout, to+"/") {
		actions[tag] = line.action
	}
	wantActions := map[string]string{"base:latest": "written", "good:1": "written", "good:2": "written", "good:shared": "failed"}
	if diff := cmp.Diff(wantActions, actions); diff != "" {
		t.Errorf("push (-want +got):\n%s", diff)
	}
	ref, err := name.ParseReference(to + "/good:shared")
	if err != nil {
		t.Fatal(err)
	}
	var terr *transport.Error
	if _, err := remote.Head(ref); !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD %s: %v, want 404", ref, err)
	}
}
