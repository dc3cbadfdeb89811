package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"path"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// ociLayout is the files of an OCI image layout in dir holding one image
// for arch, named by file (index.json): one gzipped layer with a
// file whose content is unique. Nothing in it depends on the clock.
func ociLayout(dir, file, arch, unique string, when time.Time) (map[string][]byte, error) {
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil, err
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	if err := tw.WriteHeader(&tar.Header{Name: "synth.oci", Mode: 0o644, Size: int64(len(unique)), ModTime: when, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
		return nil, err
	}
	if _, err := tw.Write([]byte(unique)); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	var gz bytes.Buffer // no name, no time: the same bytes each time
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(layer.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	blob := func(mediaType string, data []byte) ocispec.Descriptor {
		d := digest.FromBytes(data)
		files[path.Join(dir, "blobs", "sha256", d.Encoded())] = data
		return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
	}
	layerDesc := blob(ocispec.MediaTypeImageLayerGzip, gz.Bytes())
	created := when.UTC()
	cfg, err := json.Marshal(ocispec.Image{
		Created:  &created,
		Platform: ocispec.Platform{Architecture: p.Architecture, OS: p.OS, Variant: p.Variant},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{digest.FromBytes(layer.Bytes())}},
	})
	if err != nil {
		return nil, err
	}
	m, err := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    blob(ocispec.MediaTypeImageConfig, cfg),
		Layers:    []ocispec.Descriptor{layerDesc},
	})
	if err != nil {
		return nil, err
	}
	mDesc := blob(ocispec.MediaTypeImageManifest, m)
	mDesc.Platform = &p
	index, err := json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{mDesc}})
	if err != nil {
		return nil, err
	}
	files[path.Join(dir, file)] = index
	files[path.Join(dir, ocispec.ImageLayoutFile)] = []byte(`{"imageLayoutVersion":"` + ocispec.ImageLayoutVersion + `"}`)
	return files, nil
}
