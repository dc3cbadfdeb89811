package publish

import (
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder/ociindex"
)

// image is one member's image as it goes in an index: its manifest and
// the attestation manifests about it, and the repository to copy them
// from.
type image struct {
	ociindex.Image
	src string // the repository its manifests are copied from: "host/staging-amd64"
	raw []byte // the image manifest, when it was read already
}

// child is a manifest an index references.
type child struct {
	desc ocispec.Descriptor // as it goes in the index: platform, annotations
	src  string             // the repository it is copied from
	raw  []byte             // the manifest, when it was read already
}

// index is an index ready to write, and where to copy its manifests from.
type index struct {
	*ociindex.Index
	children []child // in index order
}

// newIndex lays images out with [ociindex.New], as the production
// pipeline does.
func newIndex(images []image) (*index, error) {
	imgs := make([]ociindex.Image, len(images))
	from := map[digest.Digest]child{}
	for i, img := range images {
		imgs[i] = img.Image
		if _, ok := from[img.Manifest.Digest]; !ok {
			from[img.Manifest.Digest] = child{src: img.src, raw: img.raw}
		}
		for _, a := range img.Attestations {
			if _, ok := from[a.Digest]; !ok {
				from[a.Digest] = child{src: img.src}
			}
		}
	}
	x, err := ociindex.New(imgs)
	if err != nil {
		return nil, err
	}
	idx := &index{Index: x, children: make([]child, len(x.Manifests))}
	for i, d := range x.Manifests {
		idx.children[i] = from[d.Digest]
		idx.children[i].desc = d
	}
	return idx, nil
}
