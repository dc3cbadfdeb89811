package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/internal/lru"
	"github.com/brewkit/brewkit/builder/ociindex"
	"github.com/brewkit/brewkit/platforms"
)

// staged reads m's staged image: a manifest, or an index holding one image
// manifest for m.Arch and the attestation manifests about it (BuildKit's
// output with attestations), which is flattened. A plain manifest gets
// its platform from its config, and its own annotations as the
// descriptor's, since no staging index carries them. The read is shared
// by every target with m's image, so it runs under the flight's context.
func (r *run) staged(ctx context.Context, m Member) (image, error) {
	key := m.Arch + " " + m.Image
	if img, ok := r.o.staged.get(key); ok {
		return img, nil
	}
	return r.images.do(ctx, key, func(ctx context.Context) (image, error) {
		img, err := r.readStaged(ctx, m)
		if err != nil {
			return image{}, fmt.Errorf("staged image %s for %s: %w", m.Image, m.Arch, err)
		}
		kept := img
		kept.raw = nil // read again in the rare run that copies it: the cache stays small
		r.o.staged.add(key, kept)
		return img, nil
	})
}

// StagedCache keeps what Publish read of staged images for the Publishes
// after it (see [WithStagedCache]): a staged image is named by its
// digest, so what it is does not change. It holds the images read last,
// up to its size, and is safe for concurrent use.
type StagedCache struct {
	images *lru.Cache[string, image] // by arch and image
}

// NewStagedCache returns a StagedCache of at most size images; size must
// be positive.
func NewStagedCache(size int) (*StagedCache, error) {
	if size <= 0 {
		return nil, fmt.Errorf("publish: a staged cache of %d images; want a positive size", size)
	}
	return &StagedCache{images: lru.New[string, image](size)}, nil
}

func (c *StagedCache) get(key string) (image, bool) {
	if c == nil {
		return image{}, false
	}
	return c.images.Get(key)
}

func (c *StagedCache) add(key string, img image) {
	if c != nil {
		c.images.Add(key, img)
	}
}

func (r *run) readStaged(ctx context.Context, m Member) (image, error) {
	ref, err := name.NewDigest(m.Image)
	if err != nil {
		return image{}, err
	}
	raw, mediaType, err := r.reg.get(ctx, ref, false)
	if err != nil {
		return image{}, err
	}
	var head struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return image{}, fmt.Errorf("parsing the manifest: %w", err)
	}
	if head.MediaType != "" {
		mediaType = head.MediaType
	}
	src := ref.Context().String()
	switch mediaType {
	case ocispec.MediaTypeImageIndex, ociindex.MediaTypeDockerList:
		return flatten(raw, src, m.Arch)
	case ocispec.MediaTypeImageManifest, ociindex.MediaTypeDockerManifest:
		return r.plainImage(ctx, ref, raw, mediaType, m.Arch)
	}
	return image{}, fmt.Errorf("unexpected media type %q", mediaType)
}

// flatten returns the image for arch in a staged index, and its
// attestations ([ociindex.Flatten]).
func flatten(raw []byte, src, arch string) (image, error) {
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return image{}, fmt.Errorf("parsing the index: %w", err)
	}
	img, err := ociindex.Flatten(idx, arch)
	if err != nil {
		return image{}, err
	}
	return image{Image: img, src: src}, nil
}

// plainImage describes a staged image manifest: its platform is its
// config's and must be arch's.
func (r *run) plainImage(ctx context.Context, ref name.Digest, raw []byte, mediaType, arch string) (image, error) {
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return image{}, fmt.Errorf("parsing the manifest: %w", err)
	}
	cfg, err := r.reg.blob(ctx, ref.Context().Digest(m.Config.Digest.String()))
	if err != nil {
		return image{}, err
	}
	var c struct {
		OS           string   `json:"os"`
		Architecture string   `json:"architecture"`
		Variant      string   `json:"variant,omitempty"`
		OSVersion    string   `json:"os.version,omitempty"`
		OSFeatures   []string `json:"os.features,omitempty"`
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		return image{}, fmt.Errorf("parsing the config: %w", err)
	}
	p := platforms.Normalize(ocispec.Platform{OS: c.OS, Architecture: c.Architecture, Variant: c.Variant, OSVersion: c.OSVersion, OSFeatures: c.OSFeatures})
	if !platforms.Matches(arch, p) {
		return image{}, fmt.Errorf("the image is %s, not %s", platforms.Format(p), arch)
	}
	if a, ok := m.Annotations[ociindex.AnnotationArch]; ok && a != arch {
		return image{}, fmt.Errorf("the image is annotated %s=%s, not %s", ociindex.AnnotationArch, a, arch)
	}
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.Digest(ref.DigestStr()), Size: int64(len(raw)),
		Platform: &p, Annotations: maps.Clone(m.Annotations)}
	return image{Image: ociindex.Image{Manifest: desc}, src: ref.Context().String(), raw: raw}, nil
}
