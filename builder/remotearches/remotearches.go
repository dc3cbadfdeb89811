// Package remotearches looks an image up in its registry and sorts what it
// finds by bashbrew architecture: `bashbrew remote arches`, which
// official-images' naughty-from.sh and .external-pins/update.sh run on
// external base images.
//
//	r, err := remotearches.New(
//		remotearches.WithRemote(remote.WithAuthFromKeychain(authn.DefaultKeychain)),
//		remotearches.WithDockerHubProxy(os.Getenv("DOCKERHUB_PUBLIC_PROXY")))
//	img, err := r.Resolve(ctx, "mcr.microsoft.com/windows/servercore:ltsc2022")
//	for arch, descs := range img.Arches { … } // "windows-amd64": [{digest, platform…}]
//
// A member of an index is sorted by the platform its descriptor gives,
// or, lacking one, by its config's; a platform that is no bashbrew
// architecture (such as the "unknown/unknown" of an attestation manifest)
// is left out. Platforms are normalised as bashbrew has them (arm64 with
// variant v8).
//
// # Docker Hub proxy
//
// With [WithDockerHubProxy] (bashbrew's DOCKERHUB_PUBLIC_PROXY), a Docker
// Hub image is looked up in the proxy first and in Docker Hub if that
// fails; [Image.Ref] still names it on docker.io, as bashbrew prints it.
package remotearches

import (
	"context"
	"fmt"
	"slices"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// Image is what [Resolver.Resolve] found.
type Image struct {
	// Ref is the reference looked up, normalised as bashbrew prints it:
	// "docker.io/library/debian:bookworm", ":latest" added if it had
	// neither tag nor digest.
	Ref string `json:"ref"`
	// Desc is the descriptor the registry gave for Ref.
	Desc ocispec.Descriptor `json:"desc"`
	// Arches are the image's manifests by bashbrew architecture, each
	// with its platform; Ref itself when it is a single image.
	Arches map[string][]ocispec.Descriptor `json:"arches"`
}

// Normalize returns image as bashbrew resolves it: a fully qualified
// reference with ":latest" added when it has neither tag nor digest.
func Normalize(image string) (string, error) {
	ref, err := reference.ParseAnyReference(image)
	if err != nil {
		return "", fmt.Errorf("image %q: %w", image, err)
	}
	if named, ok := ref.(reference.Named); ok {
		ref = reference.TagNameOnly(named)
	}
	return ref.String(), nil
}

// Resolver looks images up. Create one with [New]; it is safe for
// concurrent use.
type Resolver struct {
	opts options
}

// New returns a Resolver; opts give credentials ([WithRemote]) and a
// Docker Hub proxy ([WithDockerHubProxy]). It fails on a bad option (a
// proxy that is no http or https URL).
func New(opts ...Option) (*Resolver, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Resolver{opts: o}, nil
}

// Resolve looks image up and reads the platforms of its manifests. The
// error of a lookup the registry answered with a status wraps a
// *transport.Error (go-containerregistry's) with it: 404 for an image or
// digest the registry does not have. When a proxy and Docker Hub both
// failed, that is the first error that is not a 404 (the proxy's, then
// Docker Hub's), as bashbrew's resolver returns, and the message tells
// both.
func (r *Resolver) Resolve(ctx context.Context, image string) (*Image, error) {
	refStr, err := Normalize(image)
	if err != nil {
		return nil, err
	}
	ref, err := name.ParseReference(refStr)
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", image, err)
	}
	if r.opts.proxy != nil && isDockerHub(ref) {
		return r.resolveDockerHub(ctx, refStr, ref)
	}
	return resolve(ctx, refStr, ref, r.opts.remote)
}

// resolve is [Resolver.Resolve] in ref's registry; refStr is what the Image says.
func resolve(ctx context.Context, refStr string, ref name.Reference, opts []remote.Option) (*Image, error) {
	opts = append(slices.Clip(opts), remote.WithContext(ctx))
	d, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", refStr, err)
	}
	img := &Image{
		Ref:    refStr,
		Desc:   ocispec.Descriptor{MediaType: string(d.MediaType), Digest: digestOf(d.Digest), Size: d.Size},
		Arches: map[string][]ocispec.Descriptor{},
	}
	members, err := manifests(ref, d, opts)
	if err != nil {
		return nil, fmt.Errorf("manifests of %s: %w", refStr, err)
	}
	for _, m := range members {
		p := platforms.Normalize(*m.Platform)
		m.Platform = &p
		if arch, err := platforms.FromOCI(p); err == nil {
			img.Arches[arch] = append(img.Arches[arch], m)
		}
	}
	return img, nil
}

// manifests returns d's member manifests (d itself for an image), each
// with a platform: its own, or its config's.
func manifests(ref name.Reference, d *remote.Descriptor, opts []remote.Option) ([]ocispec.Descriptor, error) {
	if !d.MediaType.IsIndex() {
		if !d.MediaType.IsImage() {
			return nil, fmt.Errorf("unknown media type: %q", d.MediaType)
		}
		desc := ocispec.Descriptor{MediaType: string(d.MediaType), Digest: digestOf(d.Digest), Size: d.Size}
		im, err := d.Image()
		if err != nil {
			return nil, err
		}
		return withConfigPlatform(desc, im)
	}
	idx, err := d.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := make([]ocispec.Descriptor, 0, len(im.Manifests))
	for _, m := range im.Manifests {
		desc := toOCI(m)
		if desc.Platform != nil && desc.Platform.OS != "" && desc.Platform.Architecture != "" {
			out = append(out, desc)
			continue
		}
		child, err := remote.Image(ref.Context().Digest(m.Digest.String()), opts...)
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %w", m.Digest, err)
		}
		withPlatform, err := withConfigPlatform(desc, child)
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %w", m.Digest, err)
		}
		out = append(out, withPlatform...)
	}
	return out, nil
}

// withConfigPlatform sets desc's platform from im's config.
func withConfigPlatform(desc ocispec.Descriptor, im v1.Image) ([]ocispec.Descriptor, error) {
	cf, err := im.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config of %s: %w", desc.Digest, err)
	}
	desc.Platform = &ocispec.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant, OSVersion: cf.OSVersion, OSFeatures: cf.OSFeatures}
	return []ocispec.Descriptor{desc}, nil
}

// toOCI converts a ggcr descriptor.
func toOCI(d v1.Descriptor) ocispec.Descriptor {
	o := ocispec.Descriptor{
		MediaType:    string(d.MediaType),
		Digest:       digestOf(d.Digest),
		Size:         d.Size,
		URLs:         d.URLs,
		Annotations:  d.Annotations,
		Data:         d.Data,
		ArtifactType: d.ArtifactType,
	}
	if d.Platform != nil {
		o.Platform = &ocispec.Platform{OS: d.Platform.OS, Architecture: d.Platform.Architecture, Variant: d.Platform.Variant, OSVersion: d.Platform.OSVersion, OSFeatures: d.Platform.OSFeatures}
	}
	return o
}

func digestOf(h v1.Hash) digest.Digest { return digest.Digest(h.String()) }
