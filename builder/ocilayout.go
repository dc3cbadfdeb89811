package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"

	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/gitsource"
)

// layoutBlobs reads the blobs of an OCI image layout committed to git,
// from blobs/ALGORITHM/HEX under dir. Each blob is read with the size its
// descriptor gives, which must be its size in the tree, and its digest is
// checked as it is read. ctx bounds the reads of the image built on it,
// whose methods take no context.
type layoutBlobs struct {
	ctx context.Context
	dir *gitsource.Dir
}

// open streams the blob desc names.
func (l *layoutBlobs) open(desc ocispec.Descriptor) (io.ReadCloser, error) {
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("descriptor digest %q: %w", desc.Digest, err)
	}
	if desc.Size < 0 {
		return nil, fmt.Errorf("blob %s: negative size %d in its descriptor", desc.Digest, desc.Size)
	}
	name := path.Join("blobs", string(desc.Digest.Algorithm()), desc.Digest.Encoded())
	rc, e, err := l.dir.Open(l.ctx, name, desc.Size)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", desc.Digest, err)
	}
	if e.Size != desc.Size {
		rc.Close()
		return nil, fmt.Errorf("blob %s is %d bytes (%s), its descriptor says %d", desc.Digest, e.Size, e.Path, desc.Size)
	}
	return &verifiedBlob{ReadCloser: rc, digest: desc.Digest, v: desc.Digest.Verifier()}, nil
}

// read returns the blob desc names, which may be at most limit bytes.
func (l *layoutBlobs) read(desc ocispec.Descriptor, limit int64) ([]byte, error) {
	if desc.Size > limit {
		return nil, fmt.Errorf("blob %s: its descriptor says %d bytes, more than the %d allowed", desc.Digest, desc.Size, limit)
	}
	rc, err := l.open(desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// verifiedBlob fails the read that reaches the end of a blob whose content
// does not have its digest.
type verifiedBlob struct {
	io.ReadCloser
	digest digest.Digest
	v      digest.Verifier
}

func (b *verifiedBlob) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.v.Write(p[:n])
	if errors.Is(err, io.EOF) && !b.v.Verified() {
		return n, fmt.Errorf("blob %s: the content does not match its digest", b.digest)
	}
	return n, err
}

// layoutImageCore is a committed image manifest and its config, read and
// checked, with its layers read on demand: a [partial.CompressedImageCore].
type layoutImageCore struct {
	blobs    *layoutBlobs
	manifest []byte
	config   []byte
	layers   []ocispec.Descriptor
}

var _ partial.CompressedImageCore = (*layoutImageCore)(nil)

// openLayoutImage reads the manifest desc names and its config, and checks
// their media types as bashbrew does: an OCI config, and tar, gzip or zstd
// OCI layers.
func openLayoutImage(blobs *layoutBlobs, desc ocispec.Descriptor) (*layoutImageCore, error) {
	raw, err := blobs.read(desc, maxManifest)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", desc.Digest, err)
	}
	if m.SchemaVersion != 2 || (m.MediaType != "" && m.MediaType != ocispec.MediaTypeImageManifest) {
		return nil, fmt.Errorf("manifest %s: schemaVersion %d, mediaType %q; want 2 and %s", desc.Digest, m.SchemaVersion, m.MediaType, ocispec.MediaTypeImageManifest)
	}
	if m.Config.MediaType != ocispec.MediaTypeImageConfig {
		return nil, fmt.Errorf("manifest %s: config media type %q; want %s", desc.Digest, m.Config.MediaType, ocispec.MediaTypeImageConfig)
	}
	for _, l := range m.Layers {
		if !slices.Contains([]string{ocispec.MediaTypeImageLayer, ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerZstd}, l.MediaType) {
			return nil, fmt.Errorf("manifest %s: layer %s has media type %q; want an OCI tar, tar+gzip or tar+zstd layer", desc.Digest, l.Digest, l.MediaType)
		}
	}
	cfg, err := blobs.read(m.Config, maxConfig)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &layoutImageCore{blobs: blobs, manifest: raw, config: cfg, layers: m.Layers}, nil
}

// verifyLayers reads every layer once, checking its size and digest, so
// that a tampered layer is reported as such rather than as whatever its
// decompression makes of it.
func (c *layoutImageCore) verifyLayers() error {
	for _, d := range c.layers {
		rc, err := c.blobs.open(d)
		if err != nil {
			return fmt.Errorf("layer: %w", err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("layer: %w", err)
		}
	}
	return nil
}

func (c *layoutImageCore) RawManifest() ([]byte, error)   { return c.manifest, nil }
func (c *layoutImageCore) RawConfigFile() ([]byte, error) { return c.config, nil }
func (c *layoutImageCore) MediaType() (types.MediaType, error) {
	return types.OCIManifestSchema1, nil
}

// LayerByDigest returns the layer of the manifest with digest h.
func (c *layoutImageCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range c.layers {
		if d.Digest.String() == h.String() {
			return &layoutLayer{blobs: c.blobs, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("the manifest has no layer %s", h)
}

// layoutLayer is a layer of a committed image: a [partial.CompressedLayer].
type layoutLayer struct {
	blobs *layoutBlobs
	desc  ocispec.Descriptor
}

func (l *layoutLayer) Digest() (v1.Hash, error) { return v1.NewHash(l.desc.Digest.String()) }
func (l *layoutLayer) Size() (int64, error)     { return l.desc.Size, nil }
func (l *layoutLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.desc.MediaType), nil
}
func (l *layoutLayer) Compressed() (io.ReadCloser, error) { return l.blobs.open(l.desc) }
