package reproduce

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// published is one platform of a published tag.
type published struct {
	Arch        string
	Platform    string
	Digest      string // of its manifest
	Annotations map[string]string
	Image       v1.Image
}

// readPublished lists the platforms of ref: each image of its index but
// attestations, or the one image it names.
func readPublished(ctx context.Context, ref name.Reference, opts []remote.Option) ([]published, error) {
	opts = append(opts, remote.WithContext(ctx))
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	if !desc.MediaType.IsIndex() {
		img, err := desc.Image()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", ref, err)
		}
		p, err := imagePlatform(img, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
		return []published{p}, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	var out []published
	for _, m := range im.Manifests {
		if m.Platform == nil || m.Platform.OS == "unknown" || m.Annotations["vnd.docker.reference.type"] != "" {
			continue // an attestation
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			return nil, fmt.Errorf("reading %s@%s: %w", ref.Context(), m.Digest, err)
		}
		p, err := imagePlatform(img, m.Platform)
		if err != nil {
			return nil, fmt.Errorf("%s@%s: %w", ref.Context(), m.Digest, err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: its index lists no image but attestations", ref)
	}
	return out, nil
}

// imagePlatform is img as a published platform: the descriptor's
// platform, else its config's.
func imagePlatform(img v1.Image, p *v1.Platform) (published, error) {
	d, err := img.Digest()
	if err != nil {
		return published{}, err
	}
	m, err := img.Manifest()
	if err != nil {
		return published{}, err
	}
	if p == nil {
		cfg, err := img.ConfigFile()
		if err != nil {
			return published{}, err
		}
		p = cfg.Platform()
		if p == nil {
			p = &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
		}
	}
	op := ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
	arch, err := platforms.FromOCI(op)
	if err != nil {
		return published{}, err
	}
	return published{Arch: arch, Platform: platforms.Format(op), Digest: d.String(), Annotations: m.Annotations, Image: img}, nil
}

// pinner returns where a FROM's image is read from by digest: a library
// image (no "/" in its name, as "debian:bookworm") beside the reproduced
// repository, in the same registry and namespace, as official images
// are FROM each other; any other name as it is written.
func pinner(repo name.Repository) func(from, digest string) (string, error) {
	return func(from, digest string) (string, error) {
		base, _, _ := strings.Cut(from, "@")
		if i := strings.LastIndex(base, ":"); i > strings.LastIndex(base, "/") {
			base = base[:i]
		}
		if !strings.Contains(base, "/") {
			base = path.Dir(repo.Name()) + "/" + base
		}
		ref, err := name.NewDigest(base + "@" + digest)
		if err != nil {
			return "", fmt.Errorf("FROM %s pinned to %s: %w", from, digest, err)
		}
		return ref.String(), nil
	}
}
