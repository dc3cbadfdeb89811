package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// localStarted matches the line brewkit prints about a buildkitd it started.
var localStarted = regexp.MustCompile(`using buildkitd at (unix://\S+) \(started by brewkit, pid (\d+)\)`)

// localArches are the arches the test builds, with their uname -m and
// their GOARCH; arm64v8 runs emulated on the host's daemon.
var localArches = []struct{ arch, uname, goarch string }{
	{"amd64", "x86_64", "amd64"},
	{"arm64v8", "aarch64", "arm64"},
}

// TestE2ELocalDefault runs `brewkit build` with no workers and no
// registry, with the farm's buildkitd on PATH: brewkit starts a buildkitd
// of its own beside the farm's, builds a base image (FROM scratch, per-arch
// busybox) and a child FROM it for amd64 and arm64v8 into an OCI layout,
// and stops the daemon; a second run builds nothing.
func TestE2ELocalDefault(t *testing.T) {
	farm := farmtest.Require(t)
	lib := localLibrary(t, farmtest.GitDaemon(t))
	out, cache, runtime := filepath.Join(t.TempDir(), "out"), t.TempDir(), t.TempDir()
	env := map[string]string{
		"PATH":            filepath.Dir(farm.Bin("buildkitd")) + ":" + os.Getenv("PATH"),
		"HOME":            "/nonexistent",
		"XDG_RUNTIME_DIR": runtime, // the started daemon's socket goes in runtime/brewkit
	}
	args := []string{"--library", lib, "build", "--all", "--cache", cache, "--output", out, "--progress", "plain"}

	start := time.Now()
	stdout := localBuild(t, env, args, "4 built, 0 up to date, 0 failed")
	t.Logf("first run: %s", time.Since(start).Round(time.Millisecond))
	index := localReadFile(t, filepath.Join(out, "index.json"))
	checkLocalLayout(t, out)
	if !strings.Contains(stdout, "oci-layout://"+out+"@sha256:") {
		t.Errorf("the summary does not name the images in %s:\n%s", out, stdout)
	}
	if entries, _ := os.ReadDir(filepath.Join(runtime, "brewkit")); len(entries) != 0 {
		t.Errorf("the started daemon's directory is left in %s/brewkit: %v", runtime, entries)
	}

	start = time.Now()
	localBuild(t, env, args, "0 built, 4 up to date, 0 failed")
	t.Logf("second run: %s", time.Since(start).Round(time.Millisecond))
	if again := localReadFile(t, filepath.Join(out, "index.json")); again != index {
		t.Errorf("the second run changed index.json:\n%s", cmp.Diff(index, again))
	}

	checkLocalFailedArch(t, env, args, out, index)
}

// checkLocalFailedArch adds localbroken to the library of args, whose
// arm64v8 job fails: its tag is held back, named with the job, and the
// build fails; with --partial it is written with amd64 alone, and the
// build still fails. The other tags stay as they were in index.
func checkLocalFailedArch(t *testing.T, env map[string]string, args []string, out, index string) {
	t.Helper()
	lib := args[1]
	head, _, _ := strings.Cut(localReadFile(t, filepath.Join(lib, "localchild")), "Tags:")
	broken := head + "Tags: 1\nArchitectures: amd64, arm64v8\nDirectory: broken\n"
	if err := os.WriteFile(filepath.Join(lib, "localbroken"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	const held = "held back localbroken:1: job localbroken:1 (arm64v8) failed"
	stdout, stderr := localBuildFails(t, env, args, "1 built, 4 up to date, 1 failed")
	if !strings.Contains(stderr, "3 tag(s) in the OCI image layout "+out+"\n"+held+"\n") {
		t.Errorf("the build does not say it held localbroken:1 back for its arm64v8 job:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if again := localReadFile(t, filepath.Join(out, "index.json")); again != index {
		t.Errorf("a tag with a failed arch changed index.json:\n%s", cmp.Diff(index, again))
	}

	stdout, stderr = localBuildFails(t, env, append(args, "--partial"), "0 built, 5 up to date, 1 failed")
	if !strings.Contains(stderr, "4 tag(s) in the OCI image layout "+out+"\nwritten without an arch (--partial) localbroken:1: job localbroken:1 (arm64v8) failed\n") {
		t.Errorf("the build does not say it wrote localbroken:1 without arm64v8:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	root, err := layout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rm.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] == "docker.io/library/localbroken:1" {
			got = append(got, string(d.MediaType)+" "+d.Platform.OS+"/"+d.Platform.Architecture)
		}
	}
	if want := []string{"application/vnd.oci.image.manifest.v1+json linux/amd64"}; !slices.Equal(got, want) {
		t.Errorf("localbroken:1 in index.json: %q, want %q", got, want)
	}
}

// localLibrary makes the git repository and the library: localbase (tags 1
// and latest; a busybox per arch) and localchild (tag 1, FROM localbase:1,
// RUN uname -m > /arch). The repository also has broken/, whose RUN fails
// on arm64, for checkLocalFailedArch.
func localLibrary(t *testing.T, git *farmtest.Git) string {
	t.Helper()
	files := map[string]string{
		"child/Dockerfile":  "FROM localbase:1\nRUN uname -m > /arch\n",
		"broken/Dockerfile": "FROM localbase:1\nRUN test \"$(uname -m)\" != aarch64\n",
	}
	for _, a := range localArches {
		files["base/"+a.arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
		files["base/"+a.arch+"/busybox"] = string(farmtest.Busybox(t, a.arch))
	}
	url, commit := git.NewRepo(t, "local", files)
	head := "Maintainers: brewkit test (@brewkit)\nGitRepo: " + url + "\nGitCommit: " + commit + "\n\n"
	lib := t.TempDir()
	for name, body := range map[string]string{
		"localbase":  "Tags: 1, latest\nArchitectures: amd64, arm64v8\namd64-Directory: base/amd64\narm64v8-Directory: base/arm64v8\n",
		"localchild": "Tags: 1\nArchitectures: amd64, arm64v8\nDirectory: child\n",
	} {
		if err := os.WriteFile(filepath.Join(lib, name), []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return lib
}

// localBuild runs brewkit with args in env, expects success with totals
// in the summary and a daemon started by brewkit that is gone afterwards,
// and returns the standard output.
func localBuild(t *testing.T, env map[string]string, args []string, totals string) string {
	t.Helper()
	stdout, stderr, err := localRun(t, env, args, totals)
	if err != nil {
		t.Fatalf("brewkit %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// localBuildFails is localBuild for a build that is to fail, returning
// its standard output and error.
func localBuildFails(t *testing.T, env map[string]string, args []string, totals string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := localRun(t, env, args, totals)
	if err == nil {
		t.Errorf("brewkit %s succeeded, want an error\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout, stderr)
	}
	return stdout, stderr
}

// localRun runs brewkit with args in env, checks the totals of the
// summary and that the daemon brewkit started is gone, and returns the
// output and the error of the run.
func localRun(t *testing.T, env map[string]string, args []string, totals string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd(func(k string) string { return env[k] })
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	runErr := cmd.ExecuteContext(t.Context())
	if !strings.Contains(stdout.String(), totals) {
		t.Errorf("summary without %q:\n%s", totals, stdout.Bytes())
	}
	m := localStarted.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no line saying brewkit started a buildkitd (is one on /run/buildkit/buildkitd.sock?):\n%s", stderr.Bytes())
	}
	pid, _ := strconv.Atoi(m[2])
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the buildkitd brewkit started (pid %d) after the run: kill -0 = %v, want ESRCH (gone)", pid, err)
	}
	t.Logf("brewkit used buildkitd at %s, pid %d", m[1], pid)
	return stdout.String(), stderr.String(), runErr
}

// checkLocalLayout checks that out is an OCI layout whose tags name
// two-platform indexes, amd64 then arm64, of images for those arches; that
// the child's /arch says where its RUN ran; and that the child starts with
// its parent's layers, byte for byte.
func checkLocalLayout(t *testing.T, out string) {
	t.Helper()
	root, err := layout.ImageIndexFromPath(out)
	if err != nil {
		t.Fatalf("%s is not an OCI layout: %v", out, err)
	}
	rm, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]v1.Hash{}
	for _, d := range rm.Manifests {
		ref := d.Annotations["org.opencontainers.image.ref.name"]
		if d.Annotations["io.containerd.image.name"] != ref {
			t.Errorf("%s: io.containerd.image.name %q, want the ref name", ref, d.Annotations["io.containerd.image.name"])
		}
		tags[strings.TrimPrefix(ref, "docker.io/library/")] = d.Digest // a full reference, as skopeo's oci:DIR:REF names it
	}
	if diff := cmp.Diff([]string{"localbase:1", "localbase:latest", "localchild:1"}, sortedKeys(tags)); diff != "" {
		t.Fatalf("tags in index.json (-want +got):\n%s", diff)
	}
	if tags["localbase:1"] != tags["localbase:latest"] {
		t.Errorf("localbase:1 and localbase:latest point at different images")
	}
	base, child := localImages(t, root, tags["localbase:1"]), localImages(t, root, tags["localchild:1"])
	for i, a := range localArches {
		for _, img := range []v1.Image{base[i], child[i]} {
			if cfg, err := img.ConfigFile(); err != nil || cfg.OS != "linux" || cfg.Architecture != a.goarch {
				t.Errorf("%s image: config %+v, %v; want linux/%s", a.arch, cfg, err, a.goarch)
			}
		}
		if got := localFile(t, child[i], "arch"); got != a.uname+"\n" {
			t.Errorf("localchild:1 for %s: /arch = %q, want %q", a.arch, got, a.uname)
		}
		if bl, cl := layerDigests(t, base[i]), layerDigests(t, child[i]); len(cl) != len(bl)+1 || !slices.Equal(bl, cl[:len(bl)]) {
			t.Errorf("%s: the child's layers do not start with the base's:\nbase  %v\nchild %v", a.arch, bl, cl)
		}
	}
}

// localImages returns the images of the index d of root, checking that
// it lists exactly localArches, in that order.
func localImages(t *testing.T, root v1.ImageIndex, d v1.Hash) []v1.Image {
	t.Helper()
	idx, err := root.ImageIndex(d)
	if err != nil {
		t.Fatalf("index %s: %v", d, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var imgs []v1.Image
	for _, c := range m.Manifests {
		got = append(got, c.Platform.Architecture)
		img, err := idx.Image(c.Digest)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	if diff := cmp.Diff([]string{"amd64", "arm64"}, got); diff != "" {
		t.Fatalf("index %s platforms (-want +got):\n%s", d, diff)
	}
	return imgs
}

// localFile returns the content of the file name in img's filesystem.
func localFile(t *testing.T, img v1.Image, name string) string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no /%s in the image: %v", name, err)
		}
		if strings.TrimPrefix(h.Name, "/") == name {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
}

func layerDigests(t *testing.T, img v1.Image) []string {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range m.Layers {
		out = append(out, l.Digest.String())
	}
	return out
}

func localReadFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
