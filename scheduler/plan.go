package scheduler

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
)

// Inspector reads what planning needs from a job's source: the builder
// implements it with git and BuildKit's Dockerfile parser.
type Inspector interface {
	Inspect(ctx context.Context, src Source, arch, builder string) (SourceInfo, error)
}

// SourceInfo is what an Inspector found in a source.
type SourceInfo struct {
	Checksum   string    // sha256 of the scrubbed build context
	CommitTime time.Time // the commit's time (SOURCE_DATE_EPOCH)
	Froms      []string  // images the build reads, normalised, in order; "scratch" included
	// LastStageFrom is the base of the stage that becomes the image
	// ("scratch" possible): the org.opencontainers.image.base.name annotation.
	LastStageFrom string
}

// Plan is every job of a set of library entries, linked by their FROMs.
type Plan struct {
	Jobs      []*Job      // in library order; parents may come after children
	Unplanned []Unplanned // entry architectures left out by Options.Select
}

// Unplanned is an entry architecture that is not planned, and why.
type Unplanned struct {
	Origin Origin `json:"entry"`
	Arch   string `json:"arch"`
	Reason string `json:"reason"`
}

// Options tune [NewPlan].
type Options struct {
	// Select reports whether to plan entry e for arch, and if not, why.
	// Nil plans every architecture of every entry.
	Select func(e *manifest.Entry, arch string) (ok bool, reason string)
	// Namespace is the namespace tags are also known by (bashbrew's
	// --namespace): with "ns", "FROM ns/foo:1" is an edge to foo:1.
	Namespace string
	// Inspections is how many sources are inspected at once; 0 means GOMAXPROCS.
	Inspections int
	// Progress, if not nil, is told how many of the jobs to inspect are
	// done: with done 0 before the first, then after each, done reaching
	// total at the end (unless ctx ends first). It is called from one
	// goroutine at a time, and should return quickly.
	Progress func(done, total int)
}

// NewPlan expands the entries of repos into jobs, one per entry and
// architecture, inspects every distinct source once, merges jobs with the
// same source id and architecture, and links each job to the jobs that
// build its FROMs. Problems of one job (an unknown builder, a missing
// commit, a FROM cycle) are set in its Err and do not stop the others;
// NewPlan fails only when ctx is done.
func NewPlan(ctx context.Context, repos []*manifest.Repo, insp Inspector, opts Options) (*Plan, error) {
	p := Expand(repos, opts)
	if err := inspectAll(ctx, p.Jobs, insp, opts); err != nil {
		return nil, err
	}
	p.Jobs = dedupe(p.Jobs)
	p.Link(opts.Namespace)
	return p, nil
}

// Expand is the first step of [NewPlan]: one job per entry and
// architecture that opts.Select keeps, merging those with the same source
// (and so the same build). The jobs are not inspected (no source id, no
// FROMs) nor linked; set their Froms and call [Plan.Link] to link them.
func Expand(repos []*manifest.Repo, opts Options) *Plan {
	p := &Plan{}
	byKey := map[string]*Job{}
	for _, r := range repos {
		for _, e := range r.Entries() {
			origin := Origin{File: r.File, Line: e.Line(), Repo: r.RepoName, Tag: e.Tags[0], Tags: e.Tags, SharedTags: e.SharedTags}
			for _, arch := range e.Architectures {
				if opts.Select != nil {
					if ok, why := opts.Select(e, arch); !ok {
						p.Unplanned = append(p.Unplanned, Unplanned{Origin: origin, Arch: arch, Reason: why})
						continue
					}
				}
				j := newJob(r, e, arch)
				j.Origins = []Origin{origin}
				key := buildKey(j)
				if j.Err != nil {
					key += "\x00" + origin.String() // never merge a job that cannot run
				}
				if prev, ok := byKey[key]; ok {
					prev.merge(j)
					continue
				}
				byKey[key] = j
				p.Jobs = append(p.Jobs, j)
			}
		}
	}
	return p
}

// buildKey identifies what a job builds before its source is inspected:
// the arch, the builder and the source's content (not GitFetch, which only
// says how to get the commit).
func buildKey(j *Job) string {
	s := j.Source
	return strings.Join([]string{j.Arch, j.Builder, s.GitRepo, s.GitCommit, s.Directory, s.File}, "\x00")
}

func newJob(r *manifest.Repo, e *manifest.Entry, arch string) *Job {
	j := &Job{
		Arch: arch,
		Source: Source{
			GitRepo:   e.ArchGitRepo(arch),
			GitFetch:  e.ArchGitFetch(arch),
			GitCommit: e.ArchGitCommit(arch),
			Directory: e.ArchDirectory(arch),
			File:      e.ArchFile(arch),
		},
		Tags: r.Tags("", false, e),
	}
	if p, err := platforms.OCI(arch); err == nil {
		j.Platform = platforms.Format(p)
	}
	j.Builder, j.Err = NormalizeBuilder(e.ArchBuilder(arch), arch)
	return j
}

// merge adds the origins and tags of o, a job for the same build, to j.
func (j *Job) merge(o *Job) {
	j.Origins = append(j.Origins, o.Origins...)
	seen := make(map[string]bool, len(j.Tags))
	for _, t := range j.Tags {
		seen[t] = true
	}
	for _, t := range o.Tags {
		if !seen[t] {
			seen[t] = true
			j.Tags = append(j.Tags, t)
		}
	}
}

// inspectAll inspects every job's source, opts.Inspections at a time,
// telling opts.Progress.
func inspectAll(ctx context.Context, jobs []*Job, insp Inspector, opts Options) error {
	n := opts.Inspections
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var todo []*Job
	for _, j := range jobs {
		if j.Err == nil {
			todo = append(todo, j)
		}
	}
	progress := newInspectProgress(opts.Progress, len(todo))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for _, j := range todo {
		g.Go(func() error {
			info, err := insp.Inspect(ctx, j.Source, j.Arch, j.Builder)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			defer progress.done()
			if err != nil {
				j.Err = fmt.Errorf("%s for %s: %w", j.Origins[0], j.Arch, err)
				return nil
			}
			j.SourceID = SourceID(info.Checksum, j.Source.File, j.Builder)
			j.ID = j.SourceID + "/" + j.Arch
			j.CommitTime, j.Froms, j.LastStageFrom = info.CommitTime, info.Froms, info.LastStageFrom
			return nil
		})
	}
	return g.Wait()
}

// dedupe merges jobs with the same source id and architecture: the same
// build context built the same way, whatever repository names it.
func dedupe(jobs []*Job) []*Job {
	out := jobs[:0]
	byID := map[string]*Job{}
	for i, j := range jobs {
		if j.Err != nil {
			j.ID = fmt.Sprintf("error-%d/%s", i, j.Arch)
			out = append(out, j)
			continue
		}
		if prev, ok := byID[j.ID]; ok {
			prev.merge(j)
			continue
		}
		byID[j.ID] = j
		out = append(out, j)
	}
	return out
}
