package reproduce

import (
	"bytes"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layoutImage is the image of manifest digest d in the OCI layout in dir,
// read from its blobs: every platform's rebuild is tagged alike in the
// layout's index.json, which names only the last.
func layoutImage(dir, d string) (v1.Image, error) {
	h, err := v1.NewHash(d)
	if err != nil {
		return nil, err
	}
	li := &layoutBlobs{path: layout.Path(dir), digest: h}
	if li.manifest, err = li.blob(h); err != nil {
		return nil, err
	}
	if li.parsed, err = v1.ParseManifest(bytes.NewReader(li.manifest)); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d, err)
	}
	return partial.CompressedToImage(li)
}

// layoutBlobs is a partial.CompressedImageCore over a layout's blobs.
type layoutBlobs struct {
	path     layout.Path
	digest   v1.Hash
	manifest []byte
	parsed   *v1.Manifest
}

func (l *layoutBlobs) blob(h v1.Hash) ([]byte, error) {
	rc, err := l.path.Blob(h)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func (l *layoutBlobs) RawManifest() ([]byte, error)        { return l.manifest, nil }
func (l *layoutBlobs) RawConfigFile() ([]byte, error)      { return l.blob(l.parsed.Config.Digest) }
func (l *layoutBlobs) MediaType() (types.MediaType, error) { return l.parsed.MediaType, nil }

func (l *layoutBlobs) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range l.parsed.Layers {
		if d.Digest == h {
			return &layoutLayer{path: l.path, desc: d}, nil
		}
	}
	if l.parsed.Config.Digest == h {
		return &layoutLayer{path: l.path, desc: l.parsed.Config}, nil
	}
	return nil, fmt.Errorf("no blob %s in manifest %s", h, l.digest)
}

// layoutLayer is a layer blob of the layout, streamed.
type layoutLayer struct {
	path layout.Path
	desc v1.Descriptor
}

func (l *layoutLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *layoutLayer) Compressed() (io.ReadCloser, error)  { return l.path.Blob(l.desc.Digest) }
func (l *layoutLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *layoutLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }
