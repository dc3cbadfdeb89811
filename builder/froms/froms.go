// Package froms answers, for library entries, the questions bashbrew's
// plumbing commands and templates ask of their sources: which images an
// entry is built FROM on an architecture, its build context's checksum,
// its commit's time. It reads them through brewkit's git cache
// ([gitsource]) and the planner's [builder.Inspector], so that `brewkit
// from`, `brewkit cat --format '{{ .ArchDockerFroms … }}'` and `brewkit
// build` agree on every FROM. FROMs are read from the Dockerfile alone,
// once for every architecture of a source; only [Sources.Info] and
// [Sources.Checksum] read the whole build context.
//
//	cache, err := gitsource.Open(dir)
//	src := froms.New(cache)
//	list, err := src.Froms(ctx, entry, "arm64v8") // ["debian:bookworm", "scratch"]
//
// FROMs are read with BuildKit's parser ([dockerfile]), not bashbrew's line
// scanner: each image is listed once, in the order the Dockerfile first
// reads it, and a stage the last stage does not need is left out, as
// BuildKit leaves it out of the build. An entry whose Builder is
// oci-import is FROM scratch.
package froms

import (
	"context"
	"fmt"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// Sources reads entries' sources from a git cache. It is safe for
// concurrent use; what it reads is kept, by commit, for its lifetime.
type Sources struct {
	cache *gitsource.Cache
	in    *builder.Inspector
}

// New returns the Sources of cache.
func New(cache *gitsource.Cache) *Sources {
	return &Sources{cache: cache, in: builder.NewInspector(cache)}
}

// Cache returns the git cache s reads from.
func (s *Sources) Cache() *gitsource.Cache { return s.cache }

// source is e's source on arch.
func source(e *manifest.Entry, arch string) scheduler.Source {
	return scheduler.Source{
		GitRepo:   e.ArchGitRepo(arch),
		GitFetch:  e.ArchGitFetch(arch),
		GitCommit: e.ArchGitCommit(arch),
		Directory: e.ArchDirectory(arch),
		File:      e.ArchFile(arch),
	}
}

// sourceBuilder is e's Builder on arch as far as reading its source
// goes: only oci-import changes what is read.
func sourceBuilder(e *manifest.Entry, arch string) string {
	if b := e.ArchBuilder(arch); b == scheduler.BuilderOCIImport {
		return b
	}
	return ""
}

// Fetch makes e's GitCommit for arch present in the cache, as `bashbrew
// fetch` does, and returns it.
func (s *Sources) Fetch(ctx context.Context, e *manifest.Entry, arch string) (*gitsource.Commit, error) {
	src := source(e, arch)
	c, err := s.cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return nil, fmt.Errorf("fetching %s for %s: %w", src, arch, err)
	}
	return c, nil
}

// Info reads e's source on arch: its FROMs, the base of its last stage,
// its context's checksum and its commit's time. Use [Sources.Froms] for
// FROMs alone: the checksum reads the whole context.
func (s *Sources) Info(ctx context.Context, e *manifest.Entry, arch string) (scheduler.SourceInfo, error) {
	src := source(e, arch)
	info, err := s.in.Inspect(ctx, src, arch, sourceBuilder(e, arch))
	if err != nil {
		return scheduler.SourceInfo{}, fmt.Errorf("reading %s for %s: %w", src, arch, err)
	}
	return info, nil
}

// Froms returns the images e is built FROM on arch (bashbrew's
// ArchDockerFroms), "scratch" included. It reads the Dockerfile alone,
// once for every arch of a source, by the code `brewkit build` plans
// with ([builder.Inspector.Froms]); no checksum is computed.
func (s *Sources) Froms(ctx context.Context, e *manifest.Entry, arch string) ([]string, error) {
	f, err := s.froms(ctx, e, arch)
	return f.Froms, err
}

// LastStageFrom returns the base of e's last stage on arch (bashbrew's
// ArchLastStageFrom), read as [Sources.Froms] reads FROMs.
func (s *Sources) LastStageFrom(ctx context.Context, e *manifest.Entry, arch string) (string, error) {
	f, err := s.froms(ctx, e, arch)
	return f.LastStageFrom, err
}

// froms reads what e is built FROM on arch.
func (s *Sources) froms(ctx context.Context, e *manifest.Entry, arch string) (builder.FromInfo, error) {
	src := source(e, arch)
	f, err := s.in.Froms(ctx, src, arch, sourceBuilder(e, arch))
	if err != nil {
		return builder.FromInfo{}, fmt.Errorf("reading %s for %s: %w", src, arch, err)
	}
	return f, nil
}

// Checksum returns the sha256 of e's scrubbed build context on arch
// (bashbrew's ArchGitChecksum, `bashbrew context --sha256`).
func (s *Sources) Checksum(ctx context.Context, e *manifest.Entry, arch string) (string, error) {
	info, err := s.Info(ctx, e, arch)
	return info.Checksum, err
}

// Time returns the time of e's commit on arch, the later of its author
// and committer times in the zone recorded with it (bashbrew's
// ArchGitTime).
func (s *Sources) Time(ctx context.Context, e *manifest.Entry, arch string) (time.Time, error) {
	c, err := s.Fetch(ctx, e, arch)
	if err != nil {
		return time.Time{}, err
	}
	t, err := c.Time(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("time of %s: %w", c, err)
	}
	return t, nil
}
