package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/builder/publish/registrylog"
	"github.com/brewkit/brewkit/scheduler"
)

// fastRetries keep the tests fast: short backoffs, and a Retry-After of
// one second waited for 10ms (TestRetryTransport checks the real waits).
var fastRetries = RetryPolicy{Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxRetryAfter: 10 * time.Millisecond, Timeout: 10 * time.Second}

func newPublisher(t *testing.T, opts ...Option) *Publisher {
	t.Helper()
	// An empty keychain is anonymous: the tests never read ~/.docker.
	p, err := New(append([]Option{WithKeychain(authn.NewMultiKeychain()), WithRetryPolicy(fastRetries)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func publish(t *testing.T, p *Publisher, targets []Target) *Summary {
	t.Helper()
	s, err := p.Publish(context.Background(), targets)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return s
}

// library is the test library, staged on host:
//
//	foo 1, 1.0 (shared latest): amd64, arm64v8, staged as indexes with an attestation
//	foo 2      (shared latest): ppc64le, s390x, staged as OCI manifests
//	bar 1:                      amd64, arm64v8, staged as Docker manifests
func library(t *testing.T, host string) []job {
	t.Helper()
	a := origin("foo", 1, []string{"1", "1.0"}, "latest")
	b := origin("foo", 6, []string{"2"}, "latest")
	c := origin("bar", 1, []string{"1"})
	built := func(arch string, kind stageKind, seed int64, o scheduler.Origin) job {
		return job{arch: arch, status: scheduler.Built, ref: stage(t, host, arch, kind, seed), origins: []scheduler.Origin{o}}
	}
	return []job{
		built("arm64v8", ociAttested, 0, a), built("amd64", ociAttested, 0, a),
		built("s390x", ociManifest, 0, b), built("ppc64le", ociManifest, 0, b),
		built("amd64", dockerManifest, 1, c), built("arm64v8", dockerManifest, 1, c),
	}
}

func targets(t *testing.T, jobs []job, opts Options) []Target {
	t.Helper()
	ts, err := Targets(report(jobs...), opts)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// actions is "ACTION REF" per result.
func actions(s *Summary) []string {
	var out []string
	for _, r := range s.Results {
		line := r.Action.String() + " " + r.Target.Ref
		if r.Err != nil {
			line += ": " + r.Err.Error()
		}
		out = append(out, line)
	}
	return out
}

func TestPublish(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	ts := targets(t, jobs, Options{To: reg.host + "/lib", ArchNamespaces: map[string]string{"amd64": "amd64"}})
	reg.log.Snapshot()

	s := publish(t, newPublisher(t), ts)
	var want []string
	for _, tg := range ts {
		want = append(want, "written "+tg.Ref)
	}
	if diff := cmp.Diff(want, actions(s)); diff != "" {
		t.Fatalf("first publish (-want +got):\n%s", diff)
	}
	reqs := reg.log.Snapshot()
	checkChildrenFirst(t, reqs)
	checkMounted(t, reqs)
	t.Logf("first publish: %d requests, %d writes", len(reqs), len(registrylog.Writes(reqs)))

	const att = "attestation"
	wantIndexes := map[string]struct {
		mediaType string
		entries   []string
	}{
		"lib/foo:1":        {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att, "linux/arm64/v8", att}},
		"lib/foo:1.0":      {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att, "linux/arm64/v8", att}},
		"lib/foo:2":        {ocispec.MediaTypeImageIndex, []string{"linux/ppc64le", "linux/s390x"}},
		"lib/foo:latest":   {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att, "linux/arm64/v8", att, "linux/ppc64le", "linux/s390x"}},
		"lib/bar:1":        {ociindex.MediaTypeDockerList, []string{"linux/amd64", "linux/arm64/v8"}},
		"amd64/foo:1":      {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att}},
		"amd64/foo:1.0":    {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att}},
		"amd64/foo:latest": {ocispec.MediaTypeImageIndex, []string{"linux/amd64", att}},
		"amd64/bar:1":      {ociindex.MediaTypeDockerList, []string{"linux/amd64"}},
	}
	for i, r := range s.Results {
		ref := strings.TrimPrefix(r.Target.Ref, reg.host+"/")
		w, ok := wantIndexes[ref]
		if !ok {
			t.Errorf("unexpected target %s", ref)
			continue
		}
		mediaType, idx, raw := readIndex(t, r.Target.Ref)
		if mediaType != w.mediaType || r.MediaType != w.mediaType || r.Digest != digestOf(raw) {
			t.Errorf("%s: %s (summary: %s %s), want %s, digest %s", ref, mediaType, r.MediaType, r.Digest, w.mediaType, digestOf(raw))
		}
		if diff := cmp.Diff(w.entries, describeIndex(t, r.Target.Ref, idx)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ref, diff)
		}
		if i == 0 {
			t.Logf("%s:\n%s", ref, raw)
		}
	}

	// A second publish finds everything in place and writes nothing.
	reg.log.Snapshot()
	again := publish(t, newPublisher(t), ts)
	for i := range want {
		want[i] = strings.Replace(want[i], "written", "up to date", 1)
	}
	if diff := cmp.Diff(want, actions(again)); diff != "" {
		t.Errorf("second publish (-want +got):\n%s", diff)
	}
	reqs = reg.log.Snapshot()
	if w := registrylog.Writes(reqs); len(w) > 0 {
		t.Errorf("the second publish wrote:\n%s", strings.Join(w, "\n"))
	}
	t.Logf("second publish: %d requests (%d targets)", len(reqs), len(ts))
	var out bytes.Buffer
	if err := again.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squeeze(out.String()), "up to date "+reg.host+"/lib/foo:latest sha256:") ||
		!strings.Contains(out.String(), "linux/amd64, linux/arm64/v8, linux/ppc64le, linux/s390x (+2 attestations)") ||
		!strings.HasPrefix(lastLine(out.String()), "0 written, 9 up to date, 0 blocked, 0 failed in ") {
		t.Errorf("summary:\n%s", out.String())
	}
}

// readIndex returns the media type, the index and the bytes at ref.
func readIndex(t *testing.T, ref string) (string, ocispec.Index, []byte) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(desc.Manifest, &idx); err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	return string(desc.MediaType), idx, desc.Manifest
}

// describeIndex lists the index's platforms and attestations, checking
// each entry: its annotations, its manifest present in the index's
// repository, an image's config of its platform, an attestation right
// after the image it is about.
func describeIndex(t *testing.T, ref string, idx ocispec.Index) []string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, d := range idx.Manifests {
		if _, ok := d.Annotations[ocispec.AnnotationRefName]; ok {
			t.Errorf("%s: %s keeps %s", ref, d.Digest, ocispec.AnnotationRefName)
		}
		child := r.Context().Digest(d.Digest.String())
		if ociindex.IsAttestation(d) {
			out = append(out, "attestation")
			if i == 0 || d.Annotations[ociindex.AnnotationReferenceDigest] != idx.Manifests[i-1].Digest.String() {
				t.Errorf("%s: attestation %s is not right after its image", ref, d.Digest)
			}
			if _, err := remote.Head(child); err != nil {
				t.Errorf("%s: %v", ref, err)
			}
			continue
		}
		p := ociindex.DescribePlatform(*d.Platform)
		out = append(out, p)
		arch := d.Annotations[ociindex.AnnotationArch]
		if !strings.Contains(ref, "/bar:") && (arch == "" || d.Annotations["org.opencontainers.image.revision"] != "abc123") {
			t.Errorf("%s: %s lost its annotations: %v", ref, p, d.Annotations)
		}
		img, err := remote.Image(child)
		if err != nil {
			t.Errorf("%s: %s: %v", ref, p, err)
			continue
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Errorf("%s: %s: %v", ref, p, err)
			continue
		}
		if got := strings.TrimSuffix(cfg.OS+"/"+cfg.Architecture+"/"+cfg.Variant, "/"); got != p {
			t.Errorf("%s: the image of %s is %s", ref, p, got)
		}
	}
	return out
}

// checkMounted checks that every blob was mounted from staging, none
// uploaded.
func checkMounted(t *testing.T, reqs []registrylog.Request) {
	t.Helper()
	mounts := 0
	for _, r := range reqs {
		switch {
		case r.Method == http.MethodPatch || r.Method == http.MethodPut && strings.Contains(r.Path, "/blobs/"):
			t.Errorf("a blob was uploaded: %s", r)
		case r.Method == http.MethodPost && r.Status == http.StatusCreated:
			if !strings.HasPrefix(r.Query.Get("from"), "stage/staging-") {
				t.Errorf("a mount from elsewhere: %s", r)
			}
			mounts++
		}
	}
	if mounts == 0 {
		t.Error("no blob was mounted")
	}
}

// squeeze turns every run of spaces of s into one.
func squeeze(s string) string { return regexp.MustCompile(` +`).ReplaceAllString(s, " ") }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestPublishAcrossRegistries stages on one registry and publishes to
// another: the blobs are copied.
func TestPublishAcrossRegistries(t *testing.T) {
	staging, target := newTestRegistry(t), newTestRegistry(t)
	ts := targets(t, library(t, staging.host), Options{To: target.host + "/lib"})
	s := publish(t, newPublisher(t), ts)
	if n := s.Count(Written); n != len(ts) {
		t.Fatalf("%d of %d written:\n%s", n, len(ts), strings.Join(actions(s), "\n"))
	}
	reqs := target.log.Snapshot()
	checkChildrenFirst(t, reqs)
	uploads := 0
	for _, r := range reqs {
		if r.Method == http.MethodPatch {
			uploads++
		}
	}
	if uploads == 0 {
		t.Error("no blob was uploaded to the target registry")
	}
	for _, r := range s.Results {
		_, idx, _ := readIndex(t, r.Target.Ref)
		describeIndex(t, r.Target.Ref, idx)
	}
}

// TestPublishDryRun computes every index and writes nothing.
func TestPublishDryRun(t *testing.T) {
	reg := newTestRegistry(t)
	ts := targets(t, library(t, reg.host), Options{To: reg.host + "/lib"})
	reg.log.Snapshot()

	dry := publish(t, newPublisher(t, WithDryRun(true)), ts)
	if w := registrylog.Writes(reg.log.Snapshot()); len(w) > 0 {
		t.Errorf("the dry run wrote:\n%s", strings.Join(w, "\n"))
	}
	real := publish(t, newPublisher(t), ts)
	for i, r := range dry.Results {
		if r.Action != WouldWrite || r.Digest == "" || r.Digest != real.Results[i].Digest || len(r.Platforms) == 0 {
			t.Errorf("dry run: %s %s %s %v; want would write, the digest written (%s)", r.Action, r.Target.Ref, r.Digest, r.Platforms, real.Results[i].Digest)
		}
	}
	var out bytes.Buffer
	if err := dry.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lastLine(out.String()), fmt.Sprintf("%d would write, 0 up to date", len(ts))) ||
		!strings.Contains(squeeze(out.String()), "would write "+reg.host+"/lib/bar:1 sha256:") {
		t.Errorf("dry run summary:\n%s", out.String())
	}
	again := publish(t, newPublisher(t, WithDryRun(true)), ts)
	if n := again.Count(UpToDate); n != len(ts) {
		t.Errorf("dry run after publishing: %d of %d up to date", n, len(ts))
	}
}

// TestPublishBlocked leaves a tag whose arch failed as it was, unless
// partial.
func TestPublishBlocked(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	opts := Options{To: reg.host + "/lib"}
	publish(t, newPublisher(t), targets(t, jobs, opts))
	_, _, before := readIndex(t, reg.host+"/lib/foo:latest")

	// foo 2 is rebuilt: ppc64le changes, s390x fails.
	jobs[3].ref = stage(t, reg.host, "ppc64le", ociManifest, 7)
	jobs[2] = job{arch: "s390x", status: scheduler.Failed, err: fmt.Errorf("RUN failed"), origins: jobs[2].origins}
	reg.log.Snapshot()
	s := publish(t, newPublisher(t), targets(t, jobs, opts))
	want := []string{"up to date " + reg.host + "/lib/foo:1", "up to date " + reg.host + "/lib/foo:1.0", "up to date " + reg.host + "/lib/bar:1",
		"blocked " + reg.host + "/lib/foo:2", "blocked " + reg.host + "/lib/foo:latest"}
	if diff := cmp.Diff(want, sorted(actions(s))); diff != "" {
		t.Errorf("publish (-want +got):\n%s", diff)
	}
	if w := registrylog.Writes(reg.log.Snapshot()); len(w) > 0 {
		t.Errorf("a blocked publish wrote:\n%s", strings.Join(w, "\n"))
	}
	if _, _, after := readIndex(t, reg.host+"/lib/foo:latest"); !bytes.Equal(before, after) {
		t.Error("a blocked tag changed")
	}
	var out bytes.Buffer
	if err := s.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(squeeze(out.String()), "blocked "+reg.host+"/lib/foo:2 - missing s390x (failed)") {
		t.Errorf("summary:\n%s", out.String())
	}

	opts.Partial = true
	s = publish(t, newPublisher(t), targets(t, jobs, opts))
	want = []string{"up to date " + reg.host + "/lib/foo:1", "up to date " + reg.host + "/lib/foo:1.0", "up to date " + reg.host + "/lib/bar:1",
		"written " + reg.host + "/lib/foo:2", "written " + reg.host + "/lib/foo:latest"}
	if diff := cmp.Diff(want, sorted(actions(s))); diff != "" {
		t.Errorf("partial publish (-want +got):\n%s", diff)
	}
	_, idx, _ := readIndex(t, reg.host+"/lib/foo:latest")
	if diff := cmp.Diff([]string{"linux/amd64", "attestation", "linux/arm64/v8", "attestation", "linux/ppc64le"},
		describeIndex(t, reg.host+"/lib/foo:latest", idx)); diff != "" {
		t.Errorf("partial foo:latest (-want +got):\n%s", diff)
	}
}

// sorted puts "up to date" before "blocked" and "written", then by ref.
func sorted(lines []string) []string {
	out := slices.Clone(lines)
	rank := func(s string) int {
		if strings.HasPrefix(s, "up to date") {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

// TestPublishFailures fails some targets: a staged image that is not
// there, a manifest the registry refuses to store. Their indexes are not
// written; the others are.
func TestPublishFailures(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	// foo 2's s390x image is gone from staging.
	jobs[2].ref = reg.host + "/stage/staging-s390x@sha256:" + strings.Repeat("0", 64)
	// The registry refuses bar's arm64v8 manifest.
	staged := strings.SplitN(jobs[5].ref, "@", 2)[1]
	reg.mu.Lock()
	reg.deny = func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.URL.Path == "/v2/lib/bar/manifests/"+staged
	}
	reg.mu.Unlock()
	ts := targets(t, jobs, Options{To: reg.host + "/lib"})
	reg.log.Snapshot()

	s, err := newPublisher(t).Publish(context.Background(), ts)
	if err == nil || !strings.Contains(err.Error(), reg.host+"/lib/foo:2: staged image "+jobs[2].ref+" for s390x: ") ||
		!strings.Contains(err.Error(), reg.host+"/lib/bar:1: PUT "+reg.host+"/lib/bar@"+staged+": ") {
		t.Errorf("Publish: error %v; want one naming foo:2's staged image and bar:1's manifest", err)
	}
	want := []string{"written " + reg.host + "/lib/foo:1", "written " + reg.host + "/lib/foo:1.0",
		"failed " + reg.host + "/lib/foo:2", "failed " + reg.host + "/lib/bar:1", "failed " + reg.host + "/lib/foo:latest"}
	var got []string
	for _, r := range s.Results {
		got = append(got, r.Action.String()+" "+r.Target.Ref)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	reqs := reg.log.Snapshot()
	checkChildrenFirst(t, reqs)
	for _, r := range reqs {
		if r.Method == http.MethodPut && (strings.HasSuffix(r.Path, "/manifests/2") || strings.HasSuffix(r.Path, "/manifests/latest") ||
			r.Path == "/v2/lib/bar/manifests/1") {
			t.Errorf("a failed target was written: %s", r)
		}
	}
}

// Publishes that share a StagedCache read each staged image once: the
// second reads no staged manifest nor config, and finds every index up
// to date, as one without the cache does.
func TestPublishStagedCache(t *testing.T) {
	reg := newTestRegistry(t)
	ts := targets(t, library(t, reg.host), Options{To: reg.host + "/lib"})
	cache, err := NewStagedCache(16)
	if err != nil {
		t.Fatal(err)
	}
	stagedReads := func() []string {
		var out []string
		for _, r := range reg.log.Snapshot() {
			if r.Method == http.MethodGet && strings.Contains(r.Path, "/staging-") {
				out = append(out, r.String())
			}
		}
		return out
	}
	reg.log.Snapshot()
	first := publish(t, newPublisher(t, WithStagedCache(cache)), ts)
	if len(stagedReads()) == 0 {
		t.Fatal("the first publish read no staged image")
	}
	second := publish(t, newPublisher(t, WithStagedCache(cache)), ts)
	if r := stagedReads(); len(r) > 0 {
		t.Errorf("the second publish read staged images again:\n%s", strings.Join(r, "\n"))
	}
	for i, r := range second.Results {
		if r.Action != UpToDate || r.Digest != first.Results[i].Digest {
			t.Errorf("%s: %s %s, want up to date %s", r.Target.Ref, r.Action, r.Digest, first.Results[i].Digest)
		}
	}
	// Another namespace: the indexes are written, their manifests copied
	// from staging (the cache keeps no manifest bytes; they are read again).
	other := targets(t, library(t, reg.host), Options{To: reg.host + "/other"})
	third := publish(t, newPublisher(t, WithStagedCache(cache)), other)
	for _, r := range third.Results {
		if r.Action != Written {
			t.Errorf("%s: %s, want written", r.Target.Ref, r.Action)
		}
	}
	checkChildrenFirst(t, reg.log.Snapshot())
	if _, err := NewStagedCache(0); err == nil {
		t.Error("NewStagedCache(0) succeeded")
	}
}

// Publishes that share a TagCache ask the registry once about a tag
// whose index has not changed: the second finds every tag up to date
// with no HEAD of a tag. A tag whose index changed is asked about and
// written. One moved by somebody else within MaxAge is not seen (the
// trade-off the cache makes); once its entry is older, it is set right.
func TestPublishTagCache(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	ts := targets(t, jobs, Options{To: reg.host + "/lib"})
	fewer := targets(t, jobs[:1], Options{To: reg.host + "/lib"}) // foo:1 and its kin with arm64v8 alone
	tags, err := NewTagCache(64, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tagHeads := func() int {
		n := 0
		for _, r := range reg.log.Snapshot() {
			if r.Method == http.MethodHead && strings.Contains(r.Path, "/lib/") && !strings.Contains(r.Path, "/manifests/sha256:") {
				n++
			}
		}
		return n
	}
	count := func(s *Summary, a Action) int { return s.Count(a) }

	if s := publish(t, newPublisher(t, WithTagCache(tags)), ts); count(s, Written) != len(ts) {
		t.Fatalf("first publish:\n%s", strings.Join(actions(s), "\n"))
	}
	tagHeads()
	if s := publish(t, newPublisher(t, WithTagCache(tags)), ts); count(s, UpToDate) != len(ts) {
		t.Errorf("second publish, want all up to date:\n%s", strings.Join(actions(s), "\n"))
	}
	if n := tagHeads(); n != 0 {
		t.Errorf("the second publish sent %d HEADs of tags, want none", n)
	}

	// Somebody else moves the tags of fewer; the cache does not know.
	if s := publish(t, newPublisher(t), fewer); count(s, Written) != len(fewer) {
		t.Fatalf("moving the tags:\n%s", strings.Join(actions(s), "\n"))
	}
	if s := publish(t, newPublisher(t, WithTagCache(tags)), ts); count(s, UpToDate) != len(ts) {
		t.Errorf("within MaxAge, want all up to date (the cache's trade-off):\n%s", strings.Join(actions(s), "\n"))
	}
	expired, err := NewTagCache(64, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, newPublisher(t, WithTagCache(expired)), fewer) // fills expired, which trusts nothing
	tagHeads()
	s := publish(t, newPublisher(t, WithTagCache(expired)), ts)
	if n := tagHeads(); n != len(ts) {
		t.Errorf("with expired entries, %d HEADs of tags, want %d", n, len(ts))
	}
	if count(s, Written) != len(fewer) || count(s, UpToDate) != len(ts)-len(fewer) {
		t.Errorf("with expired entries, want the %d moved tags written, the rest up to date:\n%s", len(fewer), strings.Join(actions(s), "\n"))
	}

	// An index that changed is asked about and written, whatever the cache holds.
	if s := publish(t, newPublisher(t, WithTagCache(tags)), fewer); count(s, Written) != len(fewer) {
		t.Errorf("a changed index, want written:\n%s", strings.Join(actions(s), "\n"))
	}
	if _, err := NewTagCache(1, 0); err == nil {
		t.Error("NewTagCache(1, 0) succeeded")
	}
}
