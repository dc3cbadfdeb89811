package registrytest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/brewkit/brewkit/platforms"
)

// Push pushes to ref an image of each of arches (bashbrew architectures)
// and returns the digest ref then names: for one architecture a single
// image, whose config alone gives its platform; for more, an OCI index of
// them, each member with its platform, and a last member for the
// platform unknown/unknown, as BuildKit's attestation manifests have.
// The images are small, and the same for the same repository, tag and
// arches (whatever the registry), so their digests are too. opts are for
// remote.Write (credentials, a transport).
func Push(ctx context.Context, ref string, arches []string, opts ...remote.Option) (v1.Hash, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image %q: %w", ref, err)
	}
	if len(arches) == 0 {
		return v1.Hash{}, fmt.Errorf("image %s: no architectures", ref)
	}
	seed := r.Context().RepositoryStr() + ":" + r.Identifier()
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	if len(arches) == 1 {
		img, err := Image(seed, arches[0])
		if err != nil {
			return v1.Hash{}, err
		}
		if err := remote.Write(r, img, opts...); err != nil {
			return v1.Hash{}, fmt.Errorf("pushing %s: %w", ref, err)
		}
		return img.Digest()
	}
	idx, err := Index(seed, arches)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.WriteIndex(r, idx, opts...); err != nil {
		return v1.Hash{}, fmt.Errorf("pushing %s: %w", ref, err)
	}
	return idx.Digest()
}

// Index is the OCI index [Push] pushes for several arches; seed names it
// (the same seed and arches give the same index).
func Index(seed string, arches []string) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range arches {
		img, err := Image(seed, arch)
		if err != nil {
			return nil, err
		}
		p, err := platforms.OCI(arch)
		if err != nil {
			return nil, err
		}
		desc := v1.Descriptor{Platform: &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: desc})
	}
	att, err := image(seed+" attestation", v1.Platform{OS: "unknown", Architecture: "unknown"})
	if err != nil {
		return nil, err
	}
	return mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}}), nil
}

// Image is a small image for arch (a bashbrew architecture) whose config
// says its platform; seed names it (the same seed and arch give the same
// image).
func Image(seed, arch string) (v1.Image, error) {
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", seed, err)
	}
	return image(seed+" "+arch, v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion})
}

func image(seed string, p v1.Platform) (v1.Image, error) {
	h := fnv.New64a()
	h.Write([]byte(seed))
	img, err := random.Image(64, 1, random.WithSource(rand.NewSource(int64(h.Sum64()))))
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	return mutate.ConfigFile(img, cf)
}
