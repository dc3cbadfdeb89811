package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Registry reads images from registries with go-containerregistry, with
// credentials from the Docker config file and its credential helpers.
type Registry struct {
	opts   []remote.Option
	puller *remote.Puller // see Reusing; nil: each read sets up its own
}

// NewRegistry returns a Registry; opts are added to the defaults (the
// default keychain, retries of 429 and 5xx answers).
func NewRegistry(opts ...remote.Option) *Registry {
	defaults := []remote.Option{
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithRetryStatusCodes(http.StatusRequestTimeout, http.StatusTooManyRequests,
			http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout),
	}
	return &Registry{opts: append(defaults, opts...)}
}

// Reusing returns a Registry with r's options whose reads share, per
// repository, the setup of the first: the registry's ping, the
// credentials and the token, instead of each read making its own (a
// ping over https, then http for a local registry, and a token
// exchange). Credentials are read once per repository, so a Reusing
// Registry is for one build's lookups, not for a process's life.
func (r *Registry) Reusing() (*Registry, error) {
	p, err := remote.NewPuller(r.opts...)
	if err != nil {
		return nil, err
	}
	return &Registry{opts: r.opts, puller: p}, nil
}

// Lookup returns the descriptor ref names, or nil when there is none.
func (r *Registry) Lookup(ctx context.Context, ref string) (*v1.Descriptor, error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	desc, err := remote.Head(parsed, r.read(ctx)...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", ref, err)
	}
	return desc, nil
}

// PlatformManifest resolves ref, an index or a manifest, to the manifest
// of arch. It returns the manifest pinned ("host/repo@sha256:…") and its
// digest. A single-platform image must be for arch.
func (r *Registry) PlatformManifest(ctx context.Context, ref, arch string) (pinned, digest string, err error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return "", "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	desc, err := remote.Get(parsed, r.read(ctx)...)
	if err != nil {
		return "", "", fmt.Errorf("resolving %s: %w", ref, err)
	}
	d, err := r.platformDigest(desc, arch)
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", ref, err)
	}
	return parsed.Context().Digest(d.String()).String(), d.String(), nil
}

func (r *Registry) platformDigest(desc *remote.Descriptor, arch string) (v1.Hash, error) {
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return v1.Hash{}, err
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return v1.Hash{}, err
		}
		for _, c := range m.Manifests {
			if c.Platform != nil && platforms.Matches(arch, toOCI(*c.Platform)) {
				return c.Digest, nil
			}
		}
		return v1.Hash{}, fmt.Errorf("no manifest for %s in the index", arch)
	}
	img, err := desc.Image()
	if err != nil {
		return v1.Hash{}, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return v1.Hash{}, err
	}
	p := ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !platforms.Matches(arch, p) {
		return v1.Hash{}, fmt.Errorf("the image is %s, not %s", platforms.Format(p), arch)
	}
	return desc.Digest, nil
}

func toOCI(p v1.Platform) ocispec.Platform {
	return ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
}

// WriteImage pushes img, blobs first, and tags it ref.
func (r *Registry) WriteImage(ctx context.Context, ref string, img v1.Image) error {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return fmt.Errorf("image reference %q: %w", ref, err)
	}
	if err := remote.Write(parsed, img, r.with(ctx)...); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	return nil
}

func (r *Registry) with(ctx context.Context) []remote.Option {
	return append([]remote.Option{remote.WithContext(ctx)}, r.opts...)
}

// read is the options of a read, reusing r's puller if it has one.
func (r *Registry) read(ctx context.Context) []remote.Option {
	if r.puller == nil {
		return r.with(ctx)
	}
	return append(r.with(ctx), remote.Reuse(r.puller))
}

// Image returns the image ref names (a manifest), whose blobs are read
// when asked for; ctx bounds those reads.
func (r *Registry) Image(ctx context.Context, ref string) (v1.Image, error) {
	parsed, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("image reference %q: %w", ref, err)
	}
	img, err := remote.Image(parsed, r.read(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return img, nil
}
