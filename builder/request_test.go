package builder

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler"
)

func TestSolveOpt(t *testing.T) {
	job := &scheduler.Job{
		Arch: "arm64v8", Platform: "linux/arm64/v8", Builder: scheduler.BuilderBuildKit,
		Source:        scheduler.Source{GitRepo: "https://github.com/docker-library/docker", GitCommit: "6d541d27", Directory: "24/cli", File: "Dockerfile"},
		Origins:       []scheduler.Origin{{Repo: "docker", Tag: "24.0.7-cli"}},
		CommitTime:    time.Unix(1700741054, 0),
		Froms:         []string{"golang:1.22", "alpine:latest"},
		LastStageFrom: "alpine:latest",
	}
	r := &request{
		job:     job,
		context: gitContext(job.Source),
		parents: []scheduler.Parent{{From: "golang:1.22", Digest: "sha256:aa"}, {From: "alpine:latest", Digest: "sha256:bb"}},
		pins:    map[string]string{"golang:1.22": "docker-image://reg/golang@sha256:aa", "alpine:latest": "docker-image://reg/staging-arm64v8@sha256:bb"},
		buildID: "BUILDID",
	}
	r.export, r.stores = (&registryStage{prefix: "reg/staging"}).export(job.Arch, r.buildID)
	opt := r.solveOpt()
	wantAttrs := map[string]string{
		"context":                             "https://github.com/docker-library/docker.git#6d541d27:24/cli",
		"filename":                            "Dockerfile",
		"platform":                            "linux/arm64/v8",
		"build-arg:SOURCE_DATE_EPOCH":         "1700741054",
		"build-arg:BUILDKIT_DOCKERFILE_CHECK": "skip=all",
		"context:golang:1.22":                 "docker-image://reg/golang@sha256:aa",
		"context:alpine":                      "docker-image://reg/staging-arm64v8@sha256:bb", // BuildKit drops ":latest" from the key
	}
	if diff := cmp.Diff(wantAttrs, opt.FrontendAttrs); diff != "" {
		t.Errorf("frontend attrs (-want +got):\n%s", diff)
	}
	exp := opt.Exports[0].Attrs
	for k, v := range map[string]string{
		"name": "reg/staging-arm64v8:BUILDID", "push": "true", "rewrite-timestamp": "true",
		"annotation-manifest-descriptor.org.opencontainers.image.source":      "https://github.com/docker-library/docker#6d541d27:24/cli",
		"annotation-manifest.org.opencontainers.image.revision":               "6d541d27",
		"annotation-manifest.org.opencontainers.image.created":                "2023-11-23T12:04:14Z",
		"annotation-manifest.org.opencontainers.image.version":                "24.0.7-cli",
		"annotation-manifest.org.opencontainers.image.url":                    "https://hub.docker.com/_/docker",
		"annotation-manifest.com.docker.official-images.bashbrew.arch":        "arm64v8",
		"annotation-manifest-descriptor.org.opencontainers.image.base.name":   "alpine:latest",
		"annotation-manifest-descriptor.org.opencontainers.image.base.digest": "sha256:bb",
	} {
		if exp[k] != v {
			t.Errorf("export %s = %q, want %q", k, exp[k], v)
		}
	}
}

func TestGitContext(t *testing.T) {
	for _, tt := range []struct{ repo, dir, want string }{
		{"https://github.com/o/r", ".", "https://github.com/o/r.git#c"},
		{"https://github.com/o/r.git", "a/b", "https://github.com/o/r.git#c:a/b"},
		{"git://127.0.0.1:9418/r", "x", "git://127.0.0.1:9418/r#c:x"},
	} {
		if got := gitContext(scheduler.Source{GitRepo: tt.repo, GitCommit: "c", Directory: tt.dir}); got != tt.want {
			t.Errorf("gitContext(%s, %s) = %s, want %s", tt.repo, tt.dir, got, tt.want)
		}
	}
}

// A GitRepo's credential stays out of the image's annotations.
func TestAnnotationsWithoutCredential(t *testing.T) {
	job := &scheduler.Job{Arch: "amd64", Source: scheduler.Source{GitRepo: "https://robot:TOKEN@git.example.com/r.git", GitCommit: "6d541d27", Directory: "."}}
	r := &request{job: job}
	if got, want := r.annotations()["org.opencontainers.image.source"], "https://git.example.com/r.git#6d541d27:."; got != want {
		t.Errorf("source annotation %q, want %q", got, want)
	}
}

// NoCache asks the frontend to consult no cache; without it, no such attr.
func TestSolveOptNoCache(t *testing.T) {
	job := &scheduler.Job{Arch: "amd64", Platform: "linux/amd64", Source: scheduler.Source{File: "Dockerfile"}}
	for _, noCache := range []bool{false, true} {
		r := &request{job: job, noCache: noCache}
		r.export, r.stores = (&registryStage{prefix: "reg/staging"}).export(job.Arch, "B")
		if _, got := r.solveOpt().FrontendAttrs["no-cache"]; got != noCache {
			t.Errorf("noCache %v: no-cache attr present %v", noCache, got)
		}
	}
}

// A FROM in Pins resolves to its pin, without the registry; one that is
// not an image by digest is an error naming it.
func TestExecutorPinned(t *testing.T) {
	e := &Executor{Pins: map[string]string{
		"base:1": "127.0.0.1:5000/lib/base@sha256:" + strings.Repeat("ab", 32),
		"bad:1":  "127.0.0.1:5000/lib/bad:1",
	}}
	for _, tc := range []struct{ from, pinned, digest, err string }{
		{"base:1", "127.0.0.1:5000/lib/base@sha256:" + strings.Repeat("ab", 32), "sha256:" + strings.Repeat("ab", 32), ""},
		{"other:1", "", "", ""},
		{"bad:1", "", "", `pinned to "127.0.0.1:5000/lib/bad:1", not an image by digest`},
	} {
		pinned, digest, err := e.pinned(tc.from)
		if pinned != tc.pinned || digest != tc.digest || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("pinned(%s) = %q, %q, %v; want %q, %q, %q", tc.from, pinned, digest, err, tc.pinned, tc.digest, tc.err)
		}
	}
}
