package imagediff

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/publish"
)

// FetchOption configures [Fetch].
type FetchOption func(*fetchOptions) error

type fetchOptions struct {
	keychain  authn.Keychain
	transport http.RoundTripper
	retry     publish.RetryPolicy
}

// WithKeychain sets where credentials come from (default
// [authn.DefaultKeychain]).
func WithKeychain(kc authn.Keychain) FetchOption {
	return func(o *fetchOptions) error {
		if kc == nil {
			return errors.New("imagediff: nil keychain")
		}
		o.keychain = kc
		return nil
	}
}

// WithTransport sets the transport under the retries (default
// go-containerregistry's [remote.DefaultTransport]).
func WithTransport(t http.RoundTripper) FetchOption {
	return func(o *fetchOptions) error {
		if t == nil {
			return errors.New("imagediff: nil transport")
		}
		o.transport = t
		return nil
	}
}

// WithRetryPolicy sets the retries and timeouts of every request (default:
// the zero [publish.RetryPolicy]'s defaults).
func WithRetryPolicy(p publish.RetryPolicy) FetchOption {
	return func(o *fetchOptions) error {
		o.retry = p
		return nil
	}
}

// Fetch resolves ref (a tag or digest reference) to the image of platform
// and returns it with its manifest digest. An index is resolved to its
// child for platform (a containerd strict match, arm64 matching arm64/v8);
// a single image is returned as it is when platform is the zero value,
// or checked against it. Every request goes through a
// [publish.RetryTransport], so a registry's fault is retried as a publish
// retries it; the layers are only read, streamed, by [Compare].
func Fetch(ctx context.Context, ref string, platform ocispec.Platform, opts ...FetchOption) (v1.Image, v1.Hash, error) {
	o := fetchOptions{keychain: authn.DefaultKeychain, transport: remote.DefaultTransport}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, v1.Hash{}, err
		}
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("fetching %q: %w", ref, err)
	}
	rt := publish.NewRetryTransport(o.transport, o.retry)
	desc, err := remote.Get(r, append(publish.RemoteOptions(rt, o.keychain), remote.WithContext(ctx))...)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("fetching %s: %w", r, err)
	}
	img, d, err := pick(desc, platform)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("fetching %s: %w", r, err)
	}
	return img, d, nil
}

// pick is the image of desc for platform: desc's own, or its index's
// child.
func pick(desc *remote.Descriptor, platform ocispec.Platform) (v1.Image, v1.Hash, error) {
	if !desc.MediaType.IsIndex() {
		img, err := desc.Image()
		if err != nil {
			return nil, v1.Hash{}, err
		}
		if err := checkPlatform(img, platform); err != nil {
			return nil, v1.Hash{}, err
		}
		return img, desc.Digest, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, v1.Hash{}, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, v1.Hash{}, err
	}
	match := platforms.OnlyStrict(platform)
	for _, child := range im.Manifests {
		if child.Platform != nil && child.MediaType.IsImage() && match.Match(toOCI(*child.Platform)) {
			img, err := idx.Image(child.Digest)
			return img, child.Digest, err
		}
	}
	return nil, v1.Hash{}, fmt.Errorf("no image for %s in the index", platforms.Format(platform))
}

// checkPlatform fails when img, a single image, is not of platform (the
// zero value matching any).
func checkPlatform(img v1.Image, platform ocispec.Platform) error {
	if platform.OS == "" && platform.Architecture == "" {
		return nil
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	got := ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !platforms.OnlyStrict(platform).Match(got) {
		return fmt.Errorf("the image is for %s, not %s", platforms.Format(got), platforms.Format(platform))
	}
	return nil
}

func toOCI(p v1.Platform) ocispec.Platform {
	return ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
}
