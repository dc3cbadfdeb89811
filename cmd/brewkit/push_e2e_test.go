package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/publish/registrylog"
	"github.com/brewkit/brewkit/platforms"
)

// TestE2EPush builds a small library on the farm, with a shared tag
// across two entries of different arches, and publishes it with brewkit
// push through a counting proxy in front of the farm's registry: every
// index is checked (platforms, order, media type, each member's config),
// then a second push must write nothing.
func TestE2EPush(t *testing.T) {
	farm := farmtest.Require(t)
	run := "e2e-" + pushRandom(t)
	lib := pushLibrary(t)
	meta := filepath.Join(t.TempDir(), "build.json")

	start := time.Now()
	out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, "--library", lib, "build", "--all",
		"--cache", t.TempDir(), "--workers", farm.File, "--staging", farm.Registry+"/"+run+"/staging",
		"--progress", "plain", "--metadata-file", meta)
	if err != nil {
		t.Fatalf("brewkit build: %v\n%s\nstderr:\n%s", err, out, stderr)
	}
	t.Logf("brewkit build: %s\n%s", time.Since(start).Round(10*time.Millisecond), out)

	// Everything goes through the proxy, staging included: the metadata
	// names the staged images by the proxy's address.
	proxy := newCountingProxy(t, farm.Registry)
	viaProxy := filepath.Join(t.TempDir(), "build-via-proxy.json")
	raw, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(viaProxy, bytes.ReplaceAll(raw, []byte(`"`+farm.Registry+"/"), []byte(`"`+proxy.host+"/")), 0o644); err != nil {
		t.Fatal(err)
	}
	push := func(args ...string) (string, []registrylog.Request, time.Duration) {
		t.Helper()
		proxy.snapshot()
		start := time.Now()
		out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, append([]string{"push", "--to", proxy.host + "/" + run + "/lib",
			"--metadata-file", viaProxy, "--arch-namespace", "amd64=" + run + "/amd64"}, args...)...)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("brewkit push %v: %v\n%s\nstderr:\n%s", args, err, out, stderr)
		}
		return out, proxy.snapshot(), took
	}

	dry, dryReqs, dryTook := push("--dry-run")
	if w := registrylog.Writes(dryReqs); len(w) > 0 {
		t.Errorf("push --dry-run wrote:\n%s", strings.Join(w, "\n"))
	}
	first, firstReqs, firstTook := push()
	t.Logf("push --dry-run: %s, %d requests\n%s", dryTook.Round(time.Millisecond), len(dryReqs), dry)
	t.Logf("push: %s, %d requests (%d writes)\n%s", firstTook.Round(time.Millisecond), len(firstReqs), len(registrylog.Writes(firstReqs)), first)

	want := map[string][]string{ // tag -> platforms in index order
		"lib/pushtest:1.0":      {"linux/amd64", "linux/arm64/v8"},
		"lib/pushtest:1":        {"linux/amd64", "linux/arm64/v8"},
		"lib/pushtest:2.0-alt":  {"linux/ppc64le", "linux/s390x"},
		"lib/pushtest:2-alt":    {"linux/ppc64le", "linux/s390x"},
		"lib/pushtest:latest":   {"linux/amd64", "linux/arm64/v8", "linux/ppc64le", "linux/s390x"},
		"lib/pushtest:2":        {"linux/ppc64le", "linux/s390x"},
		"amd64/pushtest:1.0":    {"linux/amd64"},
		"amd64/pushtest:1":      {"linux/amd64"},
		"amd64/pushtest:latest": {"linux/amd64"},
	}
	prefix := proxy.host + "/" + run + "/"
	got := pushLines(t, first, prefix)
	digests := map[string]string{}
	for tag, platforms := range want {
		line, ok := got[tag]
		if !ok || line.action != "written" {
			t.Errorf("push: %s: %+v, want written", tag, line)
			continue
		}
		digests[tag] = line.digest
		checkPublishedIndex(t, farm.Registry+"/"+run+"/"+tag, line.digest, platforms)
		if dl := pushLines(t, dry, prefix)[tag]; dl.action != "would write" || dl.digest != line.digest {
			t.Errorf("push --dry-run: %s: %+v, want would write %s", tag, dl, line.digest)
		}
	}
	if len(got) != len(want) {
		t.Errorf("push wrote %d indexes, want %d:\n%s", len(got), len(want), first)
	}
	checkPushRequests(t, firstReqs, run)

	second, secondReqs, secondTook := push()
	t.Logf("second push: %s, %d requests\n%s", secondTook.Round(time.Millisecond), len(secondReqs), second)
	if w := registrylog.Writes(secondReqs); len(w) > 0 {
		t.Errorf("the second push wrote:\n%s", strings.Join(w, "\n"))
	}
	for tag, line := range pushLines(t, second, prefix) {
		if line.action != "up to date" || line.digest != digests[tag] {
			t.Errorf("second push: %s: %+v, want up to date, %s", tag, line, digests[tag])
		}
	}
	if !strings.Contains(second, fmt.Sprintf("0 written, %d up to date, 0 blocked, 0 failed in ", len(want))) {
		t.Errorf("second push summary:\n%s", second)
	}
}

// pushLibrary writes the library: one source repository with a busybox
// image per arch and entry, and the file pushtest:
//
//	1.0, 1 (shared latest):             amd64, arm64v8
//	2.0-alt, 2-alt (shared latest, 2):  ppc64le, s390x
func pushLibrary(t *testing.T) string {
	t.Helper()
	git := farmtest.GitDaemon(t)
	nonce := pushRandom(t) // this run's images, not the workers' cached ones
	files := map[string]string{}
	entries := map[string][]string{"a": {"amd64", "arm64v8"}, "b": {"ppc64le", "s390x"}}
	for entry, arches := range entries {
		for _, arch := range arches {
			files[entry+"/"+arch+"/busybox"] = string(farmtest.Busybox(t, arch))
			files[entry+"/"+arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nLABEL e2e.entry=" + entry + " e2e.nonce=" + nonce + "\n"
		}
	}
	url, commit := git.NewRepo(t, "pushtest", files)
	lib := "Maintainers: brewkit e2e <e2e@brewkit.invalid> (@brewkit)\nGitRepo: " + url + "\nGitCommit: " + commit + "\n\n" +
		"Tags: 1.0, 1\nSharedTags: latest\nArchitectures: amd64, arm64v8\namd64-Directory: a/amd64\narm64v8-Directory: a/arm64v8\n\n" +
		"Tags: 2.0-alt, 2-alt\nSharedTags: latest, 2\nArchitectures: ppc64le, s390x\nppc64le-Directory: b/ppc64le\ns390x-Directory: b/s390x\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pushtest"), []byte(lib), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func pushRandom(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// pushLine is a line of brewkit push's output.
type pushLine struct{ action, digest, detail string }

var pushLineRE = regexp.MustCompile(`^(written|up to date|would write|blocked|failed) +(\S+) +(\S+) +(.*)$`)

// pushLines returns the lines of out by index, without prefix
// ("lib/pushtest:1").
func pushLines(t *testing.T, out, prefix string) map[string]pushLine {
	t.Helper()
	lines := map[string]pushLine{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if m := pushLineRE.FindStringSubmatch(l); m != nil {
			lines[strings.TrimPrefix(m[2], prefix)] = pushLine{action: m[1], digest: m[3], detail: m[4]}
		}
	}
	return lines
}

// checkPublishedIndex reads the index at ref from the registry itself:
// its digest, an OCI index (BuildKit writes OCI manifests), its images'
// platforms in order, each with its arch annotation, present in the
// repository, and its config of that platform; and that it passes
// go-containerregistry's validate (crane validate), descriptors' platforms
// agreeing with their configs'.
func checkPublishedIndex(t *testing.T, ref, wantDigest string, wantPlatforms []string) {
	t.Helper()
	farmtest.CheckValid(t, ref)
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		t.Errorf("%s: %v", ref, err)
		return
	}
	var idx ocispec.Index
	if err := json.Unmarshal(desc.Manifest, &idx); err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	if desc.Digest.String() != wantDigest || string(desc.MediaType) != ocispec.MediaTypeImageIndex || idx.Annotations != nil {
		t.Errorf("%s: %s %s (annotations %v), want %s, an OCI index without annotations", ref, desc.Digest, desc.MediaType, idx.Annotations, wantDigest)
	}
	var got []string
	for _, d := range idx.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		p := platforms.Format(*d.Platform)
		got = append(got, p)
		arch, _ := platforms.FromOCI(*d.Platform)
		if d.Annotations["com.docker.official-images.bashbrew.arch"] != arch || d.Annotations["org.opencontainers.image.ref.name"] != "" {
			t.Errorf("%s: %s: descriptor annotations %v", ref, p, d.Annotations)
		}
		img, err := remote.Image(r.Context().Digest(d.Digest.String()))
		if err != nil {
			t.Errorf("%s: %s: %v", ref, p, err)
			continue
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Errorf("%s: %s: %v", ref, p, err)
			continue
		}
		if !platforms.Matches(arch, ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}) {
			t.Errorf("%s: the image of %s is %s/%s/%s", ref, p, cfg.OS, cfg.Architecture, cfg.Variant)
		}
	}
	if diff := cmp.Diff(wantPlatforms, got); diff != "" {
		t.Errorf("%s: platforms (-want +got):\n%s", ref, diff)
	}
}

// checkPushRequests checks the first push's requests: blobs mounted from
// staging, never uploaded; no index written before its manifests were in
// its repository.
func checkPushRequests(t *testing.T, reqs []registrylog.Request, run string) {
	t.Helper()
	mounts := 0
	for _, r := range reqs {
		switch {
		case r.Method == http.MethodPatch:
			t.Errorf("a blob was uploaded, not mounted: %s", r)
		case r.Method == http.MethodPost && r.Status == http.StatusCreated:
			if !strings.HasPrefix(r.Query.Get("from"), run+"/staging-") {
				t.Errorf("a mount from elsewhere: %s", r)
			}
			mounts++
		}
	}
	for _, p := range registrylog.ChildrenFirst(reqs) {
		t.Error(p)
	}
	if mounts == 0 {
		t.Error("no blob was mounted")
	}
	t.Logf("%d blobs mounted", mounts)
}

// countingProxy is a reverse proxy in front of a registry that records
// every request.
type countingProxy struct {
	host string
	log  registrylog.Log
}

func newCountingProxy(t *testing.T, registry string) *countingProxy {
	t.Helper()
	target, err := url.Parse("http://" + registry)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{}
	srv := httptest.NewServer(p.log.Wrap(httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(srv.Close)
	p.host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// snapshot returns the requests so far and forgets them.
func (p *countingProxy) snapshot() []registrylog.Request { return p.log.Snapshot() }
