package builder

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/scheduler"
)

// stage is where an Executor keeps each job's image under its build id,
// and where a later job or run finds it: staging repositories in a
// registry ([registryStage]) or a local OCI image layout ([Layout]).
type stage interface {
	// lookup returns the image staged for buildID, with UpToDate set;
	// found is false when there is none.
	lookup(ctx context.Context, arch, buildID string) (res scheduler.Result, found bool, err error)
	// pin is the named-context source that pins r, the result of an
	// in-plan parent, by digest: "docker-image://…" or "oci-layout://…".
	pin(r scheduler.Result) string
	// export is the export of a solve for arch and buildID, and the OCI
	// stores the solve reads pinned parents from.
	export(arch, buildID string) (client.ExportEntry, map[string]content.Store)
	// commit records what a solve of export exported and returns it.
	commit(ctx context.Context, arch, buildID string, resp map[string]string) (scheduler.Result, error)
	// staged is the image of r, a result of lookup or commit, whose blobs
	// are read when asked for.
	staged(ctx context.Context, r scheduler.Result) (v1.Image, error)
	// write stores img, an image brewkit has in hand (oci-import).
	write(ctx context.Context, arch, buildID string, img v1.Image) (scheduler.Result, error)
	// lockKey names the build of buildID for arch here, for [BuildLocks]:
	// the same in every process that stages in the same place.
	lockKey(arch, buildID string) string
}

// registryStage stages images in a registry: a job for arch goes to
// prefix + "-" + arch, tagged with its build id.
type registryStage struct {
	prefix string
	reg    *Registry
	found  *LookupCache // nil: every lookup asks the registry
}

var (
	_ stage = (*registryStage)(nil)
	_ stage = (*Layout)(nil)
)

func (s *registryStage) repo(arch string) string { return s.prefix + "-" + arch }

func (s *registryStage) lookup(ctx context.Context, arch, buildID string) (scheduler.Result, bool, error) {
	tag := s.repo(arch) + ":" + buildID
	d, ok := s.found.get(tag)
	if !ok {
		desc, err := s.reg.Lookup(ctx, tag)
		if err != nil {
			return scheduler.Result{}, false, maybeTransient(err)
		}
		if desc == nil {
			return scheduler.Result{}, false, nil
		}
		d = desc.Digest.String()
		s.found.add(tag, d)
	}
	return scheduler.Result{Ref: s.repo(arch) + "@" + d, Digest: d, BuildID: buildID, UpToDate: true}, true, nil
}

func (s *registryStage) lockKey(arch, buildID string) string {
	return "registry " + s.repo(arch) + " " + arch + " " + buildID
}

func (s *registryStage) pin(r scheduler.Result) string { return "docker-image://" + r.Ref }

func (s *registryStage) export(arch, buildID string) (client.ExportEntry, map[string]content.Store) {
	return client.ExportEntry{Type: client.ExporterImage, Attrs: map[string]string{
		"name": s.repo(arch) + ":" + buildID,
		"push": "true",
	}}, nil
}

func (s *registryStage) commit(_ context.Context, arch, buildID string, resp map[string]string) (scheduler.Result, error) {
	d := resp[exptypes.ExporterImageDigestKey]
	if d == "" {
		return scheduler.Result{}, fmt.Errorf("pushing %s:%s: BuildKit returned no image digest", s.repo(arch), buildID)
	}
	s.found.add(s.repo(arch)+":"+buildID, d)
	return scheduler.Result{Ref: s.repo(arch) + "@" + d, Digest: d, BuildID: buildID}, nil
}

func (s *registryStage) write(ctx context.Context, arch, buildID string, img v1.Image) (scheduler.Result, error) {
	d, err := img.Digest()
	if err != nil {
		return scheduler.Result{}, err
	}
	if err := s.reg.WriteImage(ctx, s.repo(arch)+":"+buildID, img); err != nil {
		return scheduler.Result{}, maybeTransient(err)
	}
	s.found.add(s.repo(arch)+":"+buildID, d.String())
	return scheduler.Result{Ref: s.repo(arch) + "@" + d.String(), Digest: d.String(), BuildID: buildID}, nil
}

func (s *registryStage) staged(ctx context.Context, r scheduler.Result) (v1.Image, error) {
	img, err := s.reg.Image(ctx, r.Ref)
	return img, maybeTransient(err)
}
