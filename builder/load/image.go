package load

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Annotations of the index.json manifest descriptor that name an image,
// as containerd's archive exporter (which BuildKit's docker exporter
// uses) writes them.
const (
	// AnnotationImageName is the full reference ("docker.io/library/foo:1.0").
	AnnotationImageName = "io.containerd.image.name"
	// AnnotationRefName is the reference's tag ("1.0").
	AnnotationRefName = ocispec.AnnotationRefName
)

// WriteImage writes img to w as one tarball that [Docker] and
// [Containerd] both load, named by names (full references such as
// "docker.io/library/foo:1.0"), in the format of BuildKit's docker
// exporter: an OCI image layout (oci-layout, blobs/sha256/…, and an
// index.json with one descriptor of img's manifest per name, annotated
// with [AnnotationImageName] and [AnnotationRefName], and with img's
// platform) plus a Docker
// manifest.json (Config, RepoTags as "foo:1.0", Layers) for engines that
// read that. The image keeps its identity: its manifest, config and
// layers are written as img has them, so a store has it under img's
// digest (containerd) or its config's (Docker).
//
// Blobs are streamed from img one at a time, never held in memory, and
// checked against their size; index.json and manifest.json come last, so
// that a tarball cut short by a failed read names no image and no store
// takes it for whole. Cancelling ctx stops between blobs.
func WriteImage(ctx context.Context, w io.Writer, img v1.Image, names []string) error {
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	rawManifest, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	desc, err := manifestDescriptor(img, m, rawManifest)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	if err := writeFile(tw, ocispec.ImageLayoutFile, []byte(`{"imageLayoutVersion":"`+ocispec.ImageLayoutVersion+`"}`)); err != nil {
		return err
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: dir, Mode: 0o755, Typeflag: tar.TypeDir}); err != nil {
			return err
		}
	}
	if err := writeFile(tw, blobPath(desc.Digest), rawManifest); err != nil {
		return err
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("reading the config %s: %w", m.Config.Digest, err)
	}
	if err := writeFile(tw, blobPath(m.Config.Digest), rawConfig); err != nil {
		return err
	}
	for _, l := range m.Layers {
		if err := writeLayer(ctx, tw, img, l); err != nil {
			return err
		}
	}
	if err := writeIndexes(tw, desc, m, names); err != nil {
		return err
	}
	return tw.Close()
}

// manifestDescriptor is the descriptor of img's manifest, with the
// manifest's own annotations, as BuildKit gives its descriptor the same
// ones (annotation-manifest-descriptor.*), and, as BuildKit does, the
// platform of its config, normalized (linux/arm64, not linux/arm64/v8).
func manifestDescriptor(img v1.Image, m *v1.Manifest, raw []byte) (v1.Descriptor, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("reading the config %s: %w", m.Config.Digest, err)
	}
	var platform *v1.Platform
	if cfg.OS != "" && cfg.Architecture != "" {
		p := platforms.Normalize(ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion})
		platform = &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
	}
	d, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("the manifest's digest: %w", err)
	}
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("the manifest's media type: %w", err)
	}
	return v1.Descriptor{MediaType: mt, Digest: d, Size: int64(len(raw)), Annotations: m.Annotations, Platform: platform}, nil
}

// writeLayer streams layer l of img into tw.
func writeLayer(ctx context.Context, tw *tar.Writer, img v1.Image, l v1.Descriptor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	layer, err := img.LayerByDigest(l.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	rc, err := layer.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	defer rc.Close()
	if err := tw.WriteHeader(&tar.Header{Name: blobPath(l.Digest), Mode: 0o444, Size: l.Size, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	n, err := io.Copy(tw, rc)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	if n != l.Size {
		return fmt.Errorf("layer %s: read %d bytes, its descriptor says %d", l.Digest, n, l.Size)
	}
	return nil
}

// writeIndexes writes index.json, one descriptor of the manifest per
// name, and manifest.json.
func writeIndexes(tw *tar.Writer, desc v1.Descriptor, m *v1.Manifest, names []string) error {
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: ocispec.MediaTypeImageIndex, Manifests: []v1.Descriptor{}}
	docker := dockerManifest{Config: blobPath(m.Config.Digest), RepoTags: []string{}}
	for _, l := range m.Layers {
		docker.Layers = append(docker.Layers, blobPath(l.Digest))
	}
	for _, n := range names {
		a, familiar, err := nameAnnotations(n)
		if err != nil {
			return err
		}
		d := desc
		d.Annotations = map[string]string{}
		for k, v := range desc.Annotations {
			d.Annotations[k] = v
		}
		for k, v := range a {
			d.Annotations[k] = v
		}
		idx.Manifests = append(idx.Manifests, d)
		docker.RepoTags = append(docker.RepoTags, familiar)
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := writeFile(tw, ocispec.ImageIndexFile, data); err != nil {
		return err
	}
	if data, err = json.Marshal([]dockerManifest{docker}); err != nil {
		return err
	}
	return writeFile(tw, "manifest.json", data)
}

// dockerManifest is one image of a Docker manifest.json.
type dockerManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// nameAnnotations are the annotations that name an image name, a full
// reference with a tag, in an index.json, and its familiar form for
// manifest.json's RepoTags, as containerd's archive exporter writes them.
func nameAnnotations(name string) (map[string]string, string, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return nil, "", fmt.Errorf("image name %q: %w", name, err)
	}
	tagged, ok := reference.TagNameOnly(named).(reference.NamedTagged)
	if !ok {
		return nil, "", fmt.Errorf("image name %q: want a tag, not a digest", name)
	}
	if _, digested := named.(reference.Digested); digested {
		return nil, "", fmt.Errorf("image name %q: want a tag, not a digest", name)
	}
	return map[string]string{AnnotationImageName: tagged.String(), AnnotationRefName: tagged.Tag()},
		reference.FamiliarString(tagged), nil
}

func blobPath(d v1.Hash) string { return path.Join("blobs", d.Algorithm, d.Hex) }

func writeFile(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o444, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}
