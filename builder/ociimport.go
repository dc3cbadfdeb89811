package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// Limits on the JSON files of an OCI layout, read into memory. 4 MiB is
// the registries' limit on a manifest; an image config is larger only
// with an extraordinary history.
const (
	maxLayoutFile = 64 << 10 // oci-layout
	maxIndex      = 4 << 20  // index.json, or a descriptor
	maxManifest   = 4 << 20
	maxConfig     = 8 << 20
)

// importOCI stages the image of an oci-import entry: an OCI image layout
// committed to git in the entry's Directory, whose File is its index.json
// (exactly one manifest) or a descriptor JSON naming the manifest. The
// layout is read from git's objects through the Directory as a
// [gitsource.Dir]: its symlinks (real layouts keep blobs as links to
// image-manifest.json and the like) are followed only inside the
// Directory. Every blob is read with the size its descriptor gives and
// its digest checked; the manifest must be an OCI image for the job's
// platform, and is staged unchanged, so its digest is the committed one.
func (e *Executor) importOCI(ctx context.Context, st stage, job *scheduler.Job, buildID string) (scheduler.Result, error) {
	src := job.Source
	commit, err := e.Cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return scheduler.Result{}, err
	}
	dir, err := commit.Dir(ctx, src.Directory)
	if err != nil {
		return scheduler.Result{}, err
	}
	img, err := layoutImage(ctx, dir, src.File, job.Arch)
	if err != nil {
		return scheduler.Result{}, fmt.Errorf("%s: oci-import of %s:%s: %w", job, src.GitCommit, src.Directory, err)
	}
	res, err := st.write(ctx, job.Arch, buildID, img)
	if err != nil {
		return scheduler.Result{}, err
	}
	e.note(job.Arch+" "+job.String(), "imported "+res.Digest)
	return res, nil
}

// layoutImage opens the image the layout in dir names through file and
// checks it completely: every digest and size, and the platform.
func layoutImage(ctx context.Context, dir *gitsource.Dir, file, arch string) (v1.Image, error) {
	if err := checkLayoutVersion(ctx, dir); err != nil {
		return nil, err
	}
	desc, err := layoutManifest(ctx, dir, file)
	if err != nil {
		return nil, err
	}
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return nil, fmt.Errorf("%s: manifest %s is %q; want an OCI image manifest (%s)", file, desc.Digest, desc.MediaType, ocispec.MediaTypeImageManifest)
	}
	core, err := openLayoutImage(&layoutBlobs{ctx: ctx, dir: dir}, desc)
	if err != nil {
		return nil, err
	}
	if err := core.verifyLayers(); err != nil {
		return nil, err
	}
	img, err := partial.CompressedToImage(core)
	if err != nil {
		return nil, err
	}
	if err := validate.Image(img); err != nil { // uncompresses every layer: diff ids
		return nil, err
	}
	return img, checkPlatform(img, arch)
}

func checkLayoutVersion(ctx context.Context, dir *gitsource.Dir) error {
	raw, err := dir.ReadFile(ctx, ocispec.ImageLayoutFile, maxLayoutFile)
	if err != nil {
		return fmt.Errorf("not an OCI image layout: %w", err)
	}
	return parseLayoutVersion(raw)
}

// parseLayoutVersion checks the content of an oci-layout file.
func parseLayoutVersion(raw []byte) error {
	var l ocispec.ImageLayout
	if err := strictJSON(raw, &l); err != nil || l.Version != ocispec.ImageLayoutVersion {
		return fmt.Errorf("oci-layout: want imageLayoutVersion %q, got %q (%v)", ocispec.ImageLayoutVersion, l.Version, err)
	}
	return nil
}

// layoutManifest reads file: an index.json with exactly one manifest, or a
// descriptor.
func layoutManifest(ctx context.Context, dir *gitsource.Dir, file string) (ocispec.Descriptor, error) {
	raw, err := dir.ReadFile(ctx, file, maxIndex)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	var doc struct {
		ocispec.Descriptor
		SchemaVersion int                  `json:"schemaVersion"`
		Manifests     []ocispec.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Manifests == nil { // a descriptor
		return doc.Descriptor, nil
	}
	if doc.SchemaVersion != 2 || len(doc.Manifests) != 1 {
		return ocispec.Descriptor{}, fmt.Errorf("%s: want schemaVersion 2 and exactly one manifest, got %d and %d", file, doc.SchemaVersion, len(doc.Manifests))
	}
	return doc.Manifests[0], nil
}

// strictJSON decodes exactly one JSON value, as bashbrew reads a layout's
// files: unknown fields and trailing data are errors.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

func checkPlatform(img v1.Image, arch string) error {
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	p := ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !platforms.Matches(arch, p) {
		return fmt.Errorf("the image is for %s, not %s", platforms.Format(p), arch)
	}
	return nil
}
