package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/scheduler/record"
)

// loadTags are the full references loadLibrary's image is loaded under.
var loadTags = []string{"docker.io/library/loadme:1.0", "docker.io/library/loadme:latest"}

// loadLibrary is one small arm64v8 image, new at each call (a nonce in
// its context), so that it is built, not found up to date.
func loadLibrary(t *testing.T, git *farmtest.Git) string {
	t.Helper()
	url, commit := git.NewRepo(t, "loadme", map[string]string{
		"Dockerfile": "FROM scratch\nCOPY nonce /nonce\n",
		"nonce":      fmt.Sprint(time.Now().UnixNano()),
	})
	return writeLibrary(t, map[string]string{"loadme": fmt.Sprintf(
		"Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: 1.0, latest\nArchitectures: amd64, arm64v8\nGitCommit: %s\n", url, commit)})
}

// loadBuild runs `brewkit build --load --platform arm64v8` (not the
// host's arch) of lib on the farm with env, staged under staging, and returns the record of its
// one job, which must have the status want, and the staged image's config
// digest, which the loaded image must have. The summary must say the
// image was loaded.
func loadBuild(t *testing.T, farm farmtest.Farm, env map[string]string, lib, staging, want string) (record.Job, string) {
	t.Helper()
	meta := filepath.Join(t.TempDir(), "metadata.json")
	start := time.Now()
	stdout, stderr, err := brewkit(t, env, "--library", lib, "build", "loadme", "--load", "--platform", "arm64v8",
		"--workers", farm.File, "--staging", staging, "--cache", t.TempDir(), "--progress", "plain", "--metadata-file", meta)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("brewkit build --load: %v\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	t.Logf("brewkit build --load (%s): %s; %s", want, took.Round(time.Millisecond), exportLines(stderr))
	data, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var rec record.Record
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Jobs) != 1 || rec.Jobs[0].Status != want || rec.Jobs[0].Arch != "arm64v8" {
		t.Fatalf("want one arm64v8 job %s, got %+v", want, rec.Jobs)
	}
	if line := summaryLine(stdout, rec.Jobs[0].Image); !strings.Contains(line, want) || !strings.Contains(line, "(loaded)") {
		t.Errorf("summary line %q: want it %s and (loaded)\n%s", line, want, stdout)
	}
	ref, err := name.ParseReference(rec.Jobs[0].Image, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return rec.Jobs[0], cfg.String()
}

// summaryLine is the line of the summary in stdout that shows image.
func summaryLine(stdout, image string) string {
	for l := range strings.Lines(stdout) {
		if strings.Contains(l, image) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// exportLines are BuildKit's lines about the docker exporter's tarball,
// with their times, from plain progress.
func exportLines(stderr string) string {
	var out []string
	for l := range strings.Lines(stderr) {
		if strings.Contains(l, "tarball") || strings.Contains(l, "docker image format") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, " | ")
}

// TestE2ELoadContainerd builds an arm64v8 image with --load where no
// Docker engine answers and a containerd of the test's does: the image is
// there under each full tag, in $CONTAINERD_NAMESPACE, for linux/arm64/v8,
// with the staged image's config, and all its content survives
// containerd's garbage collector. The same build again, into a fresh
// containerd, finds the job up to date and loads it all the same.
func TestE2ELoadContainerd(t *testing.T) {
	farm := farmtest.Require(t)
	ctd := farmtest.StartContainerd(t)
	const ns = "brewkit-e2e"
	env := buildEnv(t)
	env["DOCKER_HOST"] = "unix://" + filepath.Join(t.TempDir(), "no-docker.sock")
	env["CONTAINERD_ADDRESS"], env["CONTAINERD_NAMESPACE"] = ctd.Address, ns
	lib, staging := loadLibrary(t, farmtest.GitDaemon(t)), stagingPrefix(t, farm)
	job, config := loadBuild(t, farm, env, lib, staging, "built")
	checkContainerd(t, ctd, ns, job, config)

	// A fresh containerd: the job is up to date, and still loaded.
	fresh := farmtest.StartContainerd(t)
	env["CONTAINERD_ADDRESS"] = fresh.Address
	again, config2 := loadBuild(t, farm, env, lib, staging, "up to date")
	if again.Digest != job.Digest || config2 != config {
		t.Fatalf("up to date: %s (config %s), want the staged %s (config %s)", again.Digest, config2, job.Digest, config)
	}
	checkContainerd(t, fresh, ns, again, config)
}

// checkContainerd checks that ctd has job's image under each of loadTags
// in ns, with the staged digest and config, for linux/arm64/v8, and all
// its content after garbage collection.
func checkContainerd(t *testing.T, ctd *farmtest.Containerd, ns string, job record.Job, config string) {
	t.Helper()
	cl := ctd.Client(t, ns)
	ctx := t.Context()
	ls := cl.LeasesService() // a lease deleted synchronously runs the garbage collector
	l, err := ls.Create(ctx, leases.WithRandomID())
	if err != nil {
		t.Fatal(err)
	}
	if err := ls.Delete(ctx, l, leases.SynchronousDelete); err != nil {
		t.Fatal(err)
	}
	cs := cl.ContentStore()
	for _, tag := range loadTags {
		img, err := cl.ImageService().Get(ctx, tag)
		if err != nil {
			t.Errorf("%s in containerd: %v", tag, err)
			continue
		}
		m, err := images.Manifest(ctx, cs, img.Target, platforms.Only(ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}))
		if err != nil {
			t.Errorf("%s (%s): linux/arm64/v8: %v", tag, img.Target.Digest, err)
			continue
		}
		var cfg ocispec.Image
		if data, err := content.ReadBlob(ctx, cs, m.Config); err != nil {
			t.Errorf("%s: config: %v", tag, err)
		} else if err := json.Unmarshal(data, &cfg); err != nil || cfg.OS != "linux" || cfg.Architecture != "arm64" || cfg.Variant != "v8" {
			t.Errorf("%s: config %v %+v, want linux/arm64/v8", tag, err, cfg.Platform)
		}
		if m.Config.Digest.String() != config {
			t.Errorf("%s: config %s, the staged image's %s (%s)", tag, m.Config.Digest, config, job.Image)
		}
		for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
			if _, err := content.ReadBlob(ctx, cs, d); err != nil {
				t.Errorf("%s: %s after garbage collection: %v", tag, d.Digest, err)
			}
		}
		if img.Target.Digest.String() != job.Digest {
			t.Errorf("%s: %s, the staged image's digest %s", tag, img.Target.Digest, job.Digest)
		}
	}
}

// TestE2ELoadDocker builds an arm64v8 image with --load into a Docker
// engine of the test's: the engine has it under each tag, arm64 v8,
// its id the staged image's config digest. The same build again, into a
// fresh engine, finds the job up to date and loads it all the same.
func TestE2ELoadDocker(t *testing.T) {
	farm := farmtest.Require(t)
	engine := farmtest.StartDockerd(t, farmtest.StartContainerd(t))
	env := buildEnv(t)
	env["DOCKER_HOST"] = engine.Host
	lib, staging := loadLibrary(t, farmtest.GitDaemon(t)), stagingPrefix(t, farm)
	job, config := loadBuild(t, farm, env, lib, staging, "built")
	checkDocker(t, engine, job, config)

	// A fresh engine: the job is up to date, and still loaded.
	fresh := farmtest.StartDockerd(t, farmtest.StartContainerd(t))
	env["DOCKER_HOST"] = fresh.Host
	again, config2 := loadBuild(t, farm, env, lib, staging, "up to date")
	if again.Digest != job.Digest || config2 != config {
		t.Fatalf("up to date: %s (config %s), want the staged %s (config %s)", again.Digest, config2, job.Digest, config)
	}
	checkDocker(t, fresh, again, config)
}

// checkDocker checks that engine has job's image under each of loadTags,
// arm64 v8, its id the staged config digest.
func checkDocker(t *testing.T, engine *farmtest.Dockerd, job record.Job, config string) {
	t.Helper()
	for _, tag := range loadTags {
		var img struct {
			ID                        string `json:"Id"`
			RepoTags                  []string
			Os, Architecture, Variant string
		}
		engine.Get(t, "/images/"+tag+"/json", &img)
		if img.Os != "linux" || img.Architecture != "arm64" || img.Variant != "v8" {
			t.Errorf("%s: %s/%s/%s, want linux/arm64/v8", tag, img.Os, img.Architecture, img.Variant)
		}
		if img.ID != config {
			t.Errorf("%s: id %s, the staged image's config %s (%s)", tag, img.ID, config, job.Image)
		}
		if want := strings.TrimPrefix(tag, "docker.io/library/"); !slices.Contains(img.RepoTags, want) {
			t.Errorf("%s: tags %v, want %s among them", tag, img.RepoTags, want)
		}
	}
}
