package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/brewkit/brewkit/builder/dockerfile"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/remotearches"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/check"
	"github.com/brewkit/brewkit/platforms"
)

// maxDockerfile bounds a Dockerfile read, as the builder's.
const maxDockerfile = 4 << 20

// sources implements check.Sources, remembering what it learns.
type sources struct {
	cache  *gitsource.Cache
	loader *manifest.Loader
	opts   options
	froms  map[string]fromsResult
	libs   map[string]libResult
	arches map[string]archesResult
}

type fromsResult struct {
	froms []string
	err   error
}

type libResult struct {
	repo *manifest.Repo
	err  error
}

type archesResult struct {
	arches []string
	err    error
}

var _ check.Sources = (*sources)(nil)

func newSources(cache *gitsource.Cache, loader *manifest.Loader, o options) *sources {
	return &sources{cache: cache, loader: loader, opts: o,
		froms: map[string]fromsResult{}, libs: map[string]libResult{}, arches: map[string]archesResult{}}
}

// Froms implements check.Sources.
func (s *sources) Froms(ctx context.Context, _ *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
	if e.ArchBuilder(arch) == "oci-import" {
		return []string{"scratch"}, nil
	}
	src := gitsource.Source{Repo: e.ArchGitRepo(arch), Fetch: e.ArchGitFetch(arch), Commit: e.ArchGitCommit(arch)}
	key := strings.Join([]string{src.Repo, src.Commit, e.ArchDirectory(arch), e.ArchFile(arch), arch}, "\x00")
	if r, ok := s.froms[key]; ok {
		return slices.Clone(r.froms), r.err
	}
	froms, err := s.readFroms(ctx, src, e.ArchDirectory(arch), e.ArchFile(arch), arch)
	if ctx.Err() == nil { // a cancelled read is not an answer
		s.froms[key] = fromsResult{froms, err}
	}
	return slices.Clone(froms), err
}

func (s *sources) readFroms(ctx context.Context, src gitsource.Source, dir, file, arch string) ([]string, error) {
	commit, err := s.cache.Ensure(ctx, src)
	if fe := (*gitsource.FetchError)(nil); errors.As(err, &fe) {
		return nil, fmt.Errorf("%w: %w", check.ErrUnreachable, err)
	}
	if err != nil {
		return nil, err
	}
	d, err := commit.Dir(ctx, dir)
	if err != nil {
		return nil, err
	}
	name, err := gitsource.SafeJoin(d.Path(), file)
	if err != nil {
		return nil, err
	}
	text, err := commit.ReadFile(ctx, name, maxDockerfile)
	if err != nil {
		return nil, err
	}
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil, err
	}
	df, err := dockerfile.Parse(text, dockerfile.Options{TargetPlatform: p, BuildPlatform: p})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var froms []string
	for _, r := range df.Froms {
		froms = append(froms, r.Name)
	}
	slices.Sort(froms)
	return slices.Compact(froms), nil
}

// Library implements check.Sources. Only names of the library directory
// are looked up: never a path or a URL.
func (s *sources) Library(ctx context.Context, ref string) (*manifest.Repo, error) {
	if r, ok := s.libs[ref]; ok {
		return r.repo, r.err
	}
	var r libResult
	name, tag, _ := strings.Cut(ref, ":")
	switch {
	case name == "" || tag == "" || strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		r.err = fmt.Errorf("%q is not a library name:tag", ref)
	default:
		r.repo, r.err = s.loader.Load(ctx, ref)
		if r.err == nil && r.repo.TagEntry == nil {
			r.err = fmt.Errorf("%s: no tag given", ref)
		}
	}
	s.libs[ref] = r
	return r.repo, r.err
}

// ExternalPin implements check.Sources: the file .external-pins/NAME___TAG
// (the first ':' made "___", as .external-pins/file.sh does), non-empty.
func (s *sources) ExternalPin(ref string) (string, bool, error) {
	if s.opts.pins == "" {
		return "", false, nil
	}
	rel := strings.Replace(ref, ":", "___", 1)
	if !filepath.IsLocal(rel) {
		return "", false, nil
	}
	b, err := os.ReadFile(filepath.Join(s.opts.pins, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(s.opts.pins); err != nil {
			return "", false, fmt.Errorf("the .external-pins directory: %w", err)
		}
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	digest := strings.TrimSpace(string(b))
	return digest, digest != "", nil
}

// RemoteArches implements check.Sources: the Checker's
// [remotearches.Resolver]. A pin that is no digest and a registry's 404 are
// answers (the pin is wrong); every other failure is ErrUnreachable.
func (s *sources) RemoteArches(ctx context.Context, ref string) ([]string, error) {
	if r, ok := s.arches[ref]; ok {
		return r.arches, r.err
	}
	arches, err := s.remoteArches(ctx, ref)
	if ctx.Err() == nil {
		s.arches[ref] = archesResult{arches, err}
	}
	return arches, err
}

func (s *sources) remoteArches(ctx context.Context, ref string) ([]string, error) {
	if _, err := remotearches.Normalize(ref); err != nil {
		return nil, err
	}
	img, err := s.opts.remote.Resolve(ctx, ref)
	var terr *transport.Error
	switch {
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: %w", check.ErrUnreachable, err)
	}
	return slices.Sorted(maps.Keys(img.Arches)), nil
}
