package builder

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// importOCI stages the image of an oci-import entry: an OCI image layout
// committed to git, whose File is its index.json (exactly one manifest) or
// a descriptor JSON naming the manifest. Every digest and size is checked,
// the manifest must be an OCI image for the job's platform, and the
// manifest is staged unchanged, so its digest is the committed one.
func (e *Executor) importOCI(ctx context.Context, st stage, job *scheduler.Job, buildID string) (scheduler.Result, error) {
	src := job.Source
	commit, err := e.Cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return scheduler.Result{}, err
	}
	dir, err := os.MkdirTemp("", "brewkit-oci-")
	if err != nil {
		return scheduler.Result{}, err
	}
	defer os.RemoveAll(dir)
	if err := checkoutTree(ctx, commit, src.Directory, dir); err != nil {
		return scheduler.Result{}, err
	}
	img, err := layoutImage(dir, src.File, job.Arch)
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
// checks it completely.
func layoutImage(dir, file, arch string) (v1.Image, error) {
	if err := checkLayoutVersion(dir); err != nil {
		return nil, err
	}
	desc, err := layoutManifest(dir, file)
	if err != nil {
		return nil, err
	}
	if desc.MediaType != types.OCIManifestSchema1 {
		return nil, fmt.Errorf("%s: manifest %s is %q; want an OCI image manifest (%s)", file, desc.Digest, desc.MediaType, types.OCIManifestSchema1)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	img, err := p.Image(desc.Digest)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	if raw, err := img.RawManifest(); err != nil || int64(len(raw)) != desc.Size {
		return nil, fmt.Errorf("manifest %s: size %d, the descriptor says %d (%v)", desc.Digest, len(raw), desc.Size, err)
	}
	if err := validate.Image(img); err != nil { // every digest and size
		return nil, err
	}
	return img, checkPlatform(img, arch)
}

func checkLayoutVersion(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, ocispec.ImageLayoutFile))
	if err != nil {
		return fmt.Errorf("not an OCI image layout: %w", err)
	}
	var l ocispec.ImageLayout
	if err := json.Unmarshal(raw, &l); err != nil || l.Version != ocispec.ImageLayoutVersion {
		return fmt.Errorf("oci-layout: want imageLayoutVersion %q, got %q (%v)", ocispec.ImageLayoutVersion, l.Version, err)
	}
	return nil
}

// layoutManifest reads file: an index.json with exactly one manifest, or a
// descriptor.
func layoutManifest(dir, file string) (v1.Descriptor, error) {
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
	if err != nil {
		return v1.Descriptor{}, err
	}
	var doc struct {
		v1.Descriptor
		SchemaVersion int             `json:"schemaVersion"`
		Manifests     []v1.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return v1.Descriptor{}, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Manifests == nil { // a descriptor
		return doc.Descriptor, nil
	}
	if doc.SchemaVersion != 2 || len(doc.Manifests) != 1 {
		return v1.Descriptor{}, fmt.Errorf("%s: want schemaVersion 2 and exactly one manifest, got %d and %d", file, doc.SchemaVersion, len(doc.Manifests))
	}
	return doc.Manifests[0], nil
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
