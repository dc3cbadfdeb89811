package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/reproduce"
	"github.com/brewkit/brewkit/scheduler/record"
)

// reproFixture is a library built and published by brewkit on the farm:
// base (FROM scratch, busybox) on four arches, app FROM base on four,
// stamp FROM base with a RUN date (amd64), gone (amd64) whose repository
// is deleted after the build.
type reproFixture struct {
	lib, to string
	record  string // the build's record (--metadata-file)
	git     *farmtest.Git
}

var reproArches = []string{"amd64", "arm64v8", "ppc64le", "s390x"}

func newReproFixture(t *testing.T, farm farmtest.Farm) *reproFixture {
	t.Helper()
	f := &reproFixture{git: farmtest.GitDaemon(t)}
	nonce := pushRandom(t)
	files := map[string]string{
		"app/Dockerfile":   "FROM base:1\nRUN uname -m > /arch && echo app > /app\n",
		"stamp/Dockerfile": "FROM base:1\nRUN date +%s%N > /stamp\n",
	}
	for _, arch := range reproArches {
		files["base/"+arch+"/busybox"] = string(farmtest.Busybox(t, arch))
		files["base/"+arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\nRUN echo " + nonce + " > /nonce\n"
	}
	url, commit := f.git.NewRepo(t, "repro", files)
	goneURL, goneCommit := f.git.NewRepo(t, "gone", map[string]string{"Dockerfile": "FROM base:1\nRUN echo gone > /gone\n"})
	head := maintainers + "GitRepo: " + url + "\nGitCommit: " + commit + "\n\n"
	base := head + "Tags: 1\nArchitectures: " + strings.Join(reproArches, ", ") + "\n"
	for _, a := range reproArches {
		base += a + "-Directory: base/" + a + "\n"
	}
	f.lib = writeLibrary(t, map[string]string{
		"base":  base,
		"app":   head + "Tags: 1\nArchitectures: " + strings.Join(reproArches, ", ") + "\nDirectory: app\n",
		"stamp": head + "Tags: 1\nArchitectures: amd64\nDirectory: stamp\n",
		"gone":  maintainers + "GitRepo: " + goneURL + "\nGitCommit: " + goneCommit + "\n\nTags: 1\nArchitectures: amd64\n",
	})
	run := "e2e-repro-" + nonce
	f.to = farm.Registry + "/" + run + "/library"
	f.record = filepath.Join(t.TempDir(), "build.json")
	start := time.Now()
	out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, "--library", f.lib, "build", "--all", "--metadata-file", f.record,
		"--cache", t.TempDir(), "--workers", farm.File, "--staging", farm.Registry+"/"+run+"/staging",
		"--push", f.to, "--progress", "plain")
	if err != nil {
		t.Fatalf("brewkit build: %v\n%s\nstderr:\n%s", err, out, stderr)
	}
	t.Logf("brewkit build --all of the fixture (base, app on four arches, stamp and gone on amd64): %s", time.Since(start).Round(10*time.Millisecond))
	if rec, err := record.ReadFile(f.record); err == nil {
		for _, j := range rec.Jobs {
			t.Logf("  the build's job %s %s: %.2fs", j.Tags, j.Arch, j.Seconds)
		}
	}
	if err := os.RemoveAll(filepath.Join(f.git.Dir, "gone")); err != nil { // its commit is gone
		t.Fatal(err)
	}
	return f
}

// freshWorkers starts a buildkitd per arch, each with an empty cache, and
// returns the --worker flags that name them.
func freshWorkers(t *testing.T, farm farmtest.Farm, arches ...string) []string {
	var flags []string
	for _, a := range arches {
		d := farm.StartBuildkitd(t, a)
		flags = append(flags, "--worker", a+"="+d.Worker.Address)
	}
	return flags
}

// reproduceJSON runs brewkit reproduce ref --format json with args.
func (f *reproFixture) reproduce(t *testing.T, ref string, args ...string) (*reproduce.Report, error) {
	t.Helper()
	args = append([]string{"--library", f.lib, "reproduce", ref, "--format", "json", "--cache", t.TempDir()}, args...)
	start := time.Now()
	out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, args...)
	t.Logf("brewkit reproduce %s %v: %s", ref, args[6:], time.Since(start).Round(10*time.Millisecond))
	var rep reproduce.Report
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("brewkit reproduce %s: %v (%v)\n%s\nstderr:\n%s", ref, jerr, err, out, stderr)
	}
	t.Logf("brewkit reproduce %s: %v\n%s", ref, err, out)
	return &rep, err
}

func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 1
}

// TestE2EReproduce: brewkit's own images rebuild identical on fresh
// buildkitds (all four arches); a RUN date differs, naming /stamp and its
// instruction; a platform whose commit is gone is rebuild-failed.
func TestE2EReproduce(t *testing.T) {
	farm := farmtest.Require(t)
	f := newReproFixture(t, farm)
	fresh := freshWorkers(t, farm, reproArches...)

	rep, err := f.reproduce(t, f.to+"/app:1", fresh...)
	if exitCode(err) != 0 || len(rep.Platforms) != 4 {
		t.Errorf("app:1: exit %d (%v), %d platforms; want 0 and 4", exitCode(err), err, len(rep.Platforms))
	}
	for _, p := range rep.Platforms {
		if p.Verdict != reproduce.Identical || p.Published != p.Rebuilt {
			t.Errorf("app:1 %s: %s (%s), published %s, rebuilt %s; want identical", p.Platform, p.Verdict, p.Error, p.Published, p.Rebuilt)
		}
	}

	// The same from the build record: the build ids match the recorded.
	rep, err = f.reproduce(t, f.to+"/app:1", append(fresh, "--record", f.record, "--platform", "arm64v8")...)
	if exitCode(err) != 0 || len(rep.Platforms) != 1 || rep.Platforms[0].Verdict != reproduce.Identical {
		t.Errorf("app:1 from the record: exit %d (%v), %+v; want 0 and identical", exitCode(err), err, rep.Platforms)
	} else if m := rep.Platforms[0].BuildIDMatches; m == nil || !*m {
		t.Errorf("app:1 from the record: the build id %s does not match the record's", rep.Platforms[0].BuildID)
	}

	// Tampered after publishing: a file changed in amd64's last layer,
	// the image and the index pushed again under the tag.
	tamper(t, f.to+"/app:1", "linux/amd64", "app", "tampered\n")
	rep, err = f.reproduce(t, f.to+"/app:1", append(fresh, "--platform", "linux/amd64")...)
	if exitCode(err) != 1 || len(rep.Platforms) != 1 || rep.Platforms[0].Verdict != reproduce.Differs {
		t.Fatalf("tampered app:1: exit %d (%v), %+v; want 1 and differs", exitCode(err), err, rep.Platforms)
	}
	checkDiffNames(t, rep.Platforms[0], "app", "echo app")

	rep, err = f.reproduce(t, f.to+"/stamp:1", fresh...)
	if exitCode(err) != 1 || len(rep.Platforms) != 1 || rep.Platforms[0].Verdict != reproduce.Differs {
		t.Fatalf("stamp:1: exit %d (%v), %+v; want 1 and differs", exitCode(err), err, rep.Platforms)
	}
	checkDiffNames(t, rep.Platforms[0], "stamp", "date")

	rep, err = f.reproduce(t, f.to+"/gone:1", fresh...)
	if exitCode(err) != 1 || len(rep.Platforms) != 1 || rep.Platforms[0].Verdict != reproduce.RebuildFailed || rep.Platforms[0].Error == "" {
		t.Fatalf("gone:1: exit %d (%v), %+v; want 1 and rebuild-failed with a reason", exitCode(err), err, rep.Platforms)
	}
}

// checkDiffNames checks that a differing platform names file among its
// files and instr in the first differing layer's instruction.
func checkDiffNames(t *testing.T, p reproduce.PlatformReport, file, instr string) {
	t.Helper()
	found := false
	for _, f := range p.Files {
		found = found || strings.TrimPrefix(f.Path, "/") == file
	}
	if !found {
		t.Errorf("%s: the files that differ %+v do not name %s", p.Platform, p.Files, file)
	}
	if len(p.Layers) == 0 || !strings.Contains(p.Layers[0].CreatedBy, instr) {
		t.Errorf("%s: the first layer that differs %+v was not made by %q", p.Platform, p.Layers, instr)
	}
}

// tamper changes file in the last layer of ref's image for platform and
// pushes the image, then the index, under ref again.
func tamper(t *testing.T, ref, platform, file, content string) {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(tag)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var desc v1.Descriptor
	for _, m := range im.Manifests {
		if m.Platform != nil && m.Platform.String() == platform {
			desc = m
		}
	}
	img, err := idx.Image(desc.Digest)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	last, err := tamperLayer(layers[len(layers)-1], file, content)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	mf, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	if cfg.RootFS.DiffIDs[len(layers)-1], err = last.DiffID(); err != nil {
		t.Fatal(err)
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	forged, err := mutate.AppendLayers(base, append(layers[:len(layers)-1:len(layers)-1], last)...)
	if err != nil {
		t.Fatal(err)
	}
	if forged, err = mutate.ConfigFile(forged, cfg); err != nil { // the original history, the new diff ids
		t.Fatal(err)
	}
	forged = mutate.Annotations(forged, mf.Annotations).(v1.Image)
	d, err := forged.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag.Context().Digest(d.String()), forged); err != nil {
		t.Fatal(err)
	}
	newIdx := mutate.AppendManifests(mutate.RemoveManifests(idx, match.Digests(desc.Digest)),
		mutate.IndexAddendum{Add: forged, Descriptor: v1.Descriptor{Platform: desc.Platform, Annotations: desc.Annotations}})
	if err := remote.WriteIndex(tag, newIdx); err != nil {
		t.Fatal(err)
	}
}

// tamperLayer is l with file's content replaced.
func tamperLayer(l v1.Layer, file, content string) (v1.Layer, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	tr, tw := tar.NewReader(rc), tar.NewWriter(&buf)
	changed := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		if strings.TrimPrefix(h.Name, "/") == file {
			body, changed = []byte(content), true
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if !changed {
		return nil, fmt.Errorf("no %s in the layer", file)
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithMediaType(types.OCILayer))
}
