package builder

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/internal/lru"
	"github.com/brewkit/brewkit/scheduler"
)

// Inspector implements [scheduler.Inspector]: it reads sources from the
// git cache and their FROMs with BuildKit's Dockerfile parser. The
// checksum of a build context, the costly part, is computed once per
// commit and directory, whatever the number of architectures: concurrent
// callers share one computation, and the result is kept for later ones.
// [Inspector.Froms] reads the FROMs alone, by the code Inspect reads them
// with, so that `brewkit from` and `brewkit build` agree; a Dockerfile is
// read once for all its architectures.
//
// It keeps the checksums of the 8,192 commits and directories used last
// (more than the sources of the whole official library, some 2,300
// entries), the Dockerfiles of the 1,024 sources read last (those of at
// most 64 KiB: the library's are a few KiB), and the FROMs found for the
// 16,384 sources and architectures read last (the library has some 7,900
// entry x arch jobs), so that planning the same sources again reads no
// Dockerfile; it keeps no failure, which the next call retries: an
// Inspector can live as long as the process.
type Inspector struct {
	cache    *gitsource.Cache
	flight   singleflight.Group             // checksums, by commit and directory
	reads    singleflight.Group             // Dockerfiles, by commit, directory and file
	sums     *lru.Cache[string, contextSum] // by commit and directory
	texts    *lru.Cache[string, []byte]     // by commit, directory and file
	froms    *lru.Cache[string, FromInfo]   // by commit, directory, file, arch and builder
	computed atomic.Int64                   // checksums computed, for tests
	read     atomic.Int64                   // Dockerfiles read, for tests
}

// maxSums bounds the checksums an Inspector keeps, maxTexts the
// Dockerfiles (each of at most maxKeptText bytes), maxFroms the FROMs.
const (
	maxSums     = 8192
	maxTexts    = 1024
	maxKeptText = 64 << 10
	maxFroms    = 16384
)

type contextSum struct {
	sum  string
	time int64
}

// NewInspector returns an Inspector reading from cache.
func NewInspector(cache *gitsource.Cache) *Inspector {
	return &Inspector{
		cache: cache,
		sums:  lru.New[string, contextSum](maxSums),
		texts: lru.New[string, []byte](maxTexts),
		froms: lru.New[string, FromInfo](maxFroms),
	}
}

var _ scheduler.Inspector = (*Inspector)(nil)

// Inspect implements [scheduler.Inspector]: the context's checksum and
// the commit's time, then the FROMs, as [Inspector.Froms] reads them.
func (in *Inspector) Inspect(ctx context.Context, src scheduler.Source, arch, builder string) (scheduler.SourceInfo, error) {
	commit, err := in.ensure(ctx, src)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	sum, err := in.checksum(ctx, commit, src.Directory)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	f, err := in.readFroms(ctx, commit, src, arch, builder)
	if err != nil {
		return scheduler.SourceInfo{}, err
	}
	return scheduler.SourceInfo{Checksum: sum.sum, CommitTime: time.Unix(sum.time, 0), Froms: f.Froms, LastStageFrom: f.LastStageFrom}, nil
}

// ensure makes src's commit present in the cache.
func (in *Inspector) ensure(ctx context.Context, src scheduler.Source) (*gitsource.Commit, error) {
	return in.cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
}

// checksumTimeout bounds one shared checksum, which no single caller's
// cancellation stops.
const checksumTimeout = 10 * time.Minute

// checksum returns the scrubbed-tar checksum of dir at commit and the
// commit's time, computing each once. The computation is shared work (see
// [shared]). Only a success is kept.
func (in *Inspector) checksum(ctx context.Context, commit *gitsource.Commit, dir string) (contextSum, error) {
	key := commit.String() + ":" + dir
	if s, ok := in.sums.Get(key); ok {
		return s, nil
	}
	what := fmt.Sprintf("checksum of %s:%s", commit, dir)
	return shared(ctx, &in.flight, key, what, checksumTimeout, func(ctx context.Context) (contextSum, error) {
		if s, ok := in.sums.Get(key); ok { // computed by a flight that ended since
			return s, nil
		}
		in.computed.Add(1)
		s, err := computeSum(ctx, commit, dir)
		if err == nil {
			in.sums.Add(key, s)
		}
		return s, err
	})
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
	return contextSum{sum: sum, time: t.Unix()}, nil
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
