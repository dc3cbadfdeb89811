package publish

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// Staged images, as a build leaves them, and reports about them.

// stageKind is the shape of a staged image.
type stageKind int

const (
	dockerManifest stageKind = iota // a Docker v2 manifest
	ociManifest                     // an OCI manifest with annotations
	ociAttested                     // an OCI index: the manifest and an attestation manifest
)

// stage pushes an image for arch to host/stage/staging-ARCH and returns it
// pinned. seed makes different images for the same arch.
func stage(t *testing.T, host, arch string, kind stageKind, seed int64) string {
	t.Helper()
	p, err := platforms.OCI(arch)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(100+seed, 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant, cfg.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	if arch == "windows-amd64" {
		cfg.OSVersion = []string{"10.0.20348.1", "10.0.26100.1"}[seed%2]
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	repo := host + "/stage/staging-" + arch
	anns := map[string]string{
		"com.docker.official-images.bashbrew.arch": arch,
		"org.opencontainers.image.revision":        "abc123",
		"org.opencontainers.image.ref.name":        "dropped",
	}
	if kind != dockerManifest {
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		img = mutate.Annotations(img, anns).(v1.Image)
	}
	if kind != ociAttested {
		return push(t, repo, img)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	att := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	att = mutate.ConfigMediaType(att, types.OCIConfigJSON)
	if att, err = mutate.AppendLayers(att, static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","arch":"`+arch+`"}`), "application/vnd.in-toto+json")); err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
			Annotations: anns,
		}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{
				ociindex.AnnotationReferenceType:   ociindex.AttestationManifest,
				ociindex.AnnotationReferenceDigest: d.String(),
			},
		}},
	)
	return push(t, repo, idx)
}

func push(t *testing.T, repo string, img remote.Taggable) string {
	t.Helper()
	tag, err := name.NewTag(repo + ":build")
	if err != nil {
		t.Fatal(err)
	}
	switch x := img.(type) {
	case v1.Image:
		err = remote.Write(tag, x)
	case v1.ImageIndex:
		err = remote.WriteIndex(tag, x)
	}
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.(interface{ Digest() (v1.Hash, error) }).Digest()
	if err != nil {
		t.Fatal(err)
	}
	return repo + "@" + d.String()
}

// entry is a library entry of a test report.
func origin(repo string, line int, tags []string, shared ...string) scheduler.Origin {
	return scheduler.Origin{File: "library/" + repo, Line: line, Repo: repo, Tag: tags[0], Tags: tags, SharedTags: shared}
}

// job is a job of a test report.
type job struct {
	arch    string
	status  scheduler.Status
	ref     string // the staged image, for a built job
	err     error
	origins []scheduler.Origin
}

func report(jobs ...job) *scheduler.Report {
	r := &scheduler.Report{}
	for _, j := range jobs {
		p, _ := platforms.OCI(j.arch)
		sj := &scheduler.Job{ID: j.arch + "/" + j.origins[0].String(), Arch: j.arch, Platform: platforms.Format(p), Origins: j.origins}
		for _, o := range j.origins {
			for _, t := range append(append([]string(nil), o.Tags...), o.SharedTags...) {
				sj.Tags = append(sj.Tags, o.Repo+":"+t)
			}
		}
		r.Outcomes = append(r.Outcomes, &scheduler.Outcome{Job: sj, Status: j.status, Err: j.err, Result: scheduler.Result{Ref: j.ref}})
	}
	return r
}
