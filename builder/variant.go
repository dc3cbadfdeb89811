package builder

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/platforms"
)

// dockerfileBuild is the gateway build of a job: BuildKit's dockerfile.v0
// frontend run with attrs, its image config then given the variant of
// platform (an OCI platform such as "linux/arm64/v8") when it names the
// same OS and architecture without one.
//
// BuildKit normalises the "platform" attr with containerd's rules, which
// drop arm64's "v8", and writes the image config from that: an arm64v8
// image built FROM scratch (or FROM a parent whose config has no variant)
// says linux/arm64 while its index descriptor, as the production pipeline
// and brewkit write it, says linux/arm64/v8, and tools that check the two
// agree (crane validate) refuse it. Production's images FROM its
// oci-import roots (busybox, debian, alpine, ...) carry "variant": "v8"
// because those roots' configs do and BuildKit keeps a parent's variant
// when the target names none; this makes every image agree the same way.
func dockerfileBuild(attrs map[string]string, platform string) gateway.BuildFunc {
	return func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		res, err := c.Solve(ctx, gateway.SolveRequest{Frontend: "dockerfile.v0", FrontendOpt: attrs})
		if err != nil {
			return nil, err
		}
		if err := keepVariant(res.Metadata, platform); err != nil {
			return nil, err
		}
		return res, nil
	}
}

// keepVariant sets "variant" in every image config of a frontend's result
// metadata (containerimage.config, and containerimage.config/PLATFORM of a
// multi-platform result) whose OS and architecture are platform's and
// whose variant is empty, to platform's variant. Everything else in the
// config is kept as it is (the exporter writes the config anew anyway).
func keepVariant(meta map[string][]byte, platform string) error {
	if platform == "" {
		return nil
	}
	want, err := platforms.ParseStrict(platform)
	if err != nil {
		return err
	}
	if want.Variant == "" {
		return nil
	}
	for k, raw := range meta {
		if k != exptypes.ExporterImageConfigKey && !strings.HasPrefix(k, exptypes.ExporterImageConfigKey+"/") {
			continue
		}
		patched, err := withVariant(raw, want)
		if err != nil {
			return fmt.Errorf("the frontend's image config %s: %w", k, err)
		}
		meta[k] = patched
	}
	return nil
}

// withVariant is the config raw with want's variant when it names want's
// OS and architecture and no variant; raw unchanged otherwise.
func withVariant(raw []byte, want ocispec.Platform) ([]byte, error) {
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, err
	}
	var p struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
		Variant      string `json:"variant"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p.Variant != "" || p.OS != want.OS || p.Architecture != want.Architecture {
		return raw, nil
	}
	v, err := json.Marshal(want.Variant)
	if err != nil {
		return nil, err
	}
	cfg["variant"] = v
	return json.Marshal(cfg)
}
