package builder

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/brewkit/brewkit/builder/dockerfile"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/internal/lru"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// Inspector implements [scheduler.Inspector]: it reads sources from the
// git cache and their FROMs with BuildKit's Dockerfile parser. The
// checksum of a build context, the costly part, is computed once per
// commit and directory, whatever the number of architectures: concurrent
// callers share one computation, and the result is kept for later ones.
// It keeps the results of the 8,192 commits and directories used last
// (more than the sources of the whole official library, some 2,300
// entries), and what it found for the 16,384 sources and architectures
// inspected last (the library has some 7,900 entry x arch jobs), so that
// planning the same sources again reads no Dockerfile; it keeps no
// failure, which the next Inspect retries: an Inspector can live as long
// as the process.
type Inspector struct {
	cache    *gitsource.Cache
	flight   singleflight.Group
	sums     *lru.Cache[string, contextSum]           // by commit and directory
	infos    *lru.Cache[string, scheduler.SourceInfo] // by commit, directory, file, arch and builder
	computed atomic.Int64                             // checksums computed, for tests
}

// maxSums bounds the checksums an Inspector keeps, maxInfos the results.
const (
	maxSums  = 8192
	maxInfos = 16384
)

type contextSum struct {
	dir  *gitsource.Dir // the Directory, its symlinks followed
	sum  string
	time int64
}

// NewInspector returns an Inspector reading from cache.
func NewInspector(cache *gitsource.Cache) *Inspector {
	return &Inspector{cache: cache, sums: lru.New[string, contextSum](maxSums), infos: lru.New[string, scheduler.SourceInfo](maxInfos)}
}

var _ scheduler.Inspector = (*Inspector)(nil)

// Inspect implements [scheduler.Inspector]. What it finds depends only on
// the commit's content, so it is kept, by commit, directory, file, arch
// and builder.
func (in *Inspector) Inspect(ctx context.Context, src scheduler.Source, arch, builder string) (scheduler.SourceInfo, error) {
	commit, err := in.cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	key := strings.Join([]string{commit.String(), src.Directory, src.File, arch, builder}, "\x00")
	info, ok := in.infos.Get(key)
	if !ok {
		if info, err = in.inspect(ctx, commit, src, arch, builder); err != nil {
			return scheduler.SourceInfo{}, err
		}
		in.infos.Add(key, info)
	}
	info.Froms = slices.Clone(info.Froms) // the caller's own
	return info, nil
}

// inspect reads src at commit: its context's checksum and its FROMs.
func (in *Inspector) inspect(ctx context.Context, commit *gitsource.Commit, src scheduler.Source, arch, builder string) (scheduler.SourceInfo, error) {
	sum, err := in.checksum(ctx, commit, src.Directory)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	info := scheduler.SourceInfo{Checksum: sum.sum, CommitTime: time.Unix(sum.time, 0)}
	if builder == scheduler.BuilderOCIImport { // an image committed to git: FROM scratch, as bashbrew has it
		// The layout is read through its Directory alone (see
		// Executor.importOCI): File may not climb out of it, directly or
		// through a symlink.
		if _, err := sum.dir.Stat(ctx, src.File); err != nil {
			return scheduler.SourceInfo{}, fmt.Errorf("oci-import File: %w", err)
		}
		info.Froms, info.LastStageFrom = []string{"scratch"}, "scratch"
		return info, nil
	}
	file, err := gitsource.SafeJoin(sum.dir.Path(), src.File) // may leave Directory, not the repository
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	text, err := commit.ReadFile(ctx, file, maxDockerfile)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	p, err := platforms.OCI(arch)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	// Workers build natively, so the build platform is the target's.
	df, err := dockerfile.Parse(text, dockerfile.Options{TargetPlatform: p, BuildPlatform: p})
	if err != nil {
		return scheduler.SourceInfo{}, fmt.Errorf("%s: %w", path.Join(src.Directory, src.File), err)
	}
	seen := map[string]bool{}
	for _, r := range df.Froms {
		if !seen[r.Name] {
			seen[r.Name] = true
			info.Froms = append(info.Froms, r.Name)
		}
	}
	info.LastStageFrom = df.LastStageFrom
	return info, nil
}

// checksumTimeout bounds one shared checksum, which no single caller's
// cancellation stops.
const checksumTimeout = 10 * time.Minute

// checksum resolves dir at commit and returns it with its scrubbed-tar
// checksum and the commit's time, computing each once. The computation is
// shared work: it runs under a context of its own (the first caller's
// values, bounded by checksumTimeout), so that a caller that is cancelled
// fails no other caller waiting for it; a caller whose ctx ends stops
// waiting. Only a success is kept.
func (in *Inspector) checksum(ctx context.Context, commit *gitsource.Commit, dir string) (contextSum, error) {
	key := commit.String() + ":" + dir
	if s, ok := in.sums.Get(key); ok {
		return s, nil
	}
	ch := in.flight.DoChan(key, func() (any, error) {
		in.computed.Add(1)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checksumTimeout)
		defer cancel()
		s, err := computeSum(cctx, commit, dir)
		if err != nil {
			return nil, err
		}
		in.sums.Add(key, s)
		return s, nil
	})
	select {
	case <-ctx.Done():
		return contextSum{}, fmt.Errorf("checksum of %s:%s: %w", commit, dir, context.Cause(ctx))
	case r := <-ch:
		if r.Err != nil {
			return contextSum{}, r.Err
		}
		return r.Val.(contextSum), nil
	}
}

// computeSum resolves dir at commit and computes its checksum and the
// commit's time.
func computeSum(ctx context.Context, commit *gitsource.Commit, dir string) (contextSum, error) {
	d, err := commit.Dir(ctx, dir)
	if err != nil {
		return contextSum{}, err
	}
	sum, err := commit.Checksum(ctx, d.Path())
	if err != nil {
		return contextSum{}, err
	}
	t, err := commit.Time(ctx)
	if err != nil {
		return contextSum{}, err
	}
	return contextSum{dir: d, sum: sum, time: t.Unix()}, nil
}

// dockerfilePath is the repository path of src's Dockerfile: File in the
// directory Directory resolves to (a symlinked Directory is followed, as
// for the build context), which File may leave but not the repository.
func dockerfilePath(ctx context.Context, commit *gitsource.Commit, src scheduler.Source) (string, error) {
	dir, err := commit.Dir(ctx, src.Directory)
	if err != nil {
		return "", err
	}
	return gitsource.SafeJoin(dir.Path(), src.File)
}
