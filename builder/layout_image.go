package builder

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/scheduler"
)

// staged is the image of r, a result of l, read from its content store;
// its layers are streamed when read. ctx bounds those reads.
func (l *Layout) staged(ctx context.Context, r scheduler.Result) (v1.Image, error) {
	desc, ok, err := l.record(r.BuildID)
	if err == nil && !ok {
		err = fmt.Errorf("build %s is not recorded", r.BuildID)
	}
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", l.dir, err)
	}
	raw, err := content.ReadBlob(ctx, l.store, desc)
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: manifest %s: %w", l.dir, desc.Digest, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: manifest %s: %w", l.dir, desc.Digest, err)
	}
	cfg, err := content.ReadBlob(ctx, l.store, ocispec.Descriptor{Digest: digest.Digest(m.Config.Digest.String()), Size: m.Config.Size})
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: config %s: %w", l.dir, m.Config.Digest, err)
	}
	return partial.CompressedToImage(&storeImage{ctx: ctx, store: l.store, manifest: raw, config: cfg, mediaType: types.MediaType(desc.MediaType), layers: m.Layers})
}

// storeImage is an image whose blobs are in a content store.
type storeImage struct {
	ctx       context.Context
	store     content.Provider
	manifest  []byte
	config    []byte
	mediaType types.MediaType
	layers    []v1.Descriptor
}

var _ partial.CompressedImageCore = (*storeImage)(nil)

func (s *storeImage) RawManifest() ([]byte, error)        { return s.manifest, nil }
func (s *storeImage) RawConfigFile() ([]byte, error)      { return s.config, nil }
func (s *storeImage) MediaType() (types.MediaType, error) { return s.mediaType, nil }

func (s *storeImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range s.layers {
		if d.Digest == h {
			return &storeLayer{s: s, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("layer %s is not in the manifest", h)
}

// storeLayer is a layer of a storeImage.
type storeLayer struct {
	s    *storeImage
	desc v1.Descriptor
}

func (l *storeLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *storeLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *storeLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }

func (l *storeLayer) Compressed() (io.ReadCloser, error) {
	ra, err := l.s.store.ReaderAt(l.s.ctx, ocispec.Descriptor{Digest: digest.Digest(l.desc.Digest.String()), Size: l.desc.Size})
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.desc.Digest, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{content.NewReader(ra), ra}, nil
}
