package lineage

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/manifest"
)

// job is one entry and architecture whose FROMs are read.
type job struct {
	r    *manifest.Repo
	e    *manifest.Entry
	arch string
}

// entryJobs is an entry that counts and the range jobs[first:first+n] of
// its architectures' jobs.
type entryJobs struct {
	r        *manifest.Repo
	e        *manifest.Entry
	first, n int
}

// add appends a job for every architecture of e that counts.
func (o Options) add(ejs []entryJobs, jobs []job, r *manifest.Repo, e *manifest.Entry, arches []string) ([]entryJobs, []job) {
	ejs = append(ejs, entryJobs{r: r, e: e, first: len(jobs), n: len(arches)})
	for _, a := range arches {
		jobs = append(jobs, job{r: r, e: e, arch: a})
	}
	return ejs, jobs
}

// expand lists the entries of repos that count, in library order, and
// their jobs.
func (o Options) expand(repos []*manifest.Repo) ([]entryJobs, []job) {
	var ejs []entryJobs
	var jobs []job
	for _, r := range repos {
		for _, e := range r.Entries() {
			if o.keep(r, e) {
				ejs, jobs = o.add(ejs, jobs, r, e, o.arches(e))
			}
		}
	}
	return ejs, jobs
}

// result is a job's FROMs, once done is closed.
type result struct {
	froms []string
	err   error
	done  chan struct{}
}

// readFroms reads the FROMs of every job, o.Jobs at a time and in
// [startOrder], while walk, in a goroutine of its own, takes them with froms(i),
// which waits for job i. walk can thus print in library order what is
// read in any order. froms(i) returns job i's error, naming the entry and
// arch, or ctx's cause. readFroms returns walk's error, which cancels
// what is still being read, or nil once every job is read.
func readFroms(ctx context.Context, jobs []job, o Options, walk func(froms func(i int) ([]string, error)) error) error {
	results := make([]result, len(jobs))
	for i := range results {
		results[i].done = make(chan struct{})
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var readers errgroup.Group
		readers.SetLimit(o.Jobs)
		for _, i := range startOrder(jobs) {
			j := jobs[i]
			if ctx.Err() != nil {
				break // walk failed: no need to read the rest
			}
			readers.Go(func() error {
				defer close(results[i].done)
				fs, err := o.Froms(ctx, j.r, j.e, j.arch)
				if err != nil {
					err = fmt.Errorf("FROMs of %s (tags %q) on %s: %w", j.r.RepoName, j.e.TagsString(), j.arch, err)
				}
				results[i].froms, results[i].err = fs, err
				return nil
			})
		}
		return readers.Wait()
	})
	g.Go(func() error {
		return walk(func(i int) ([]string, error) {
			select {
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			case <-results[i].done:
				return results[i].froms, results[i].err
			}
		})
	})
	return g.Wait()
}

// startOrder is the order jobs are read in: first the first job of each
// commit, taking the repositories (GitRepo) in turn, then the others in
// job order. Reading a commit the first time may fetch it, and fetches of
// one repository wait for one another while those of different ones
// overlap; the library lists a repository's entries together, so in
// library order a cold cache would fetch one repository at a time.
func startOrder(jobs []job) []int {
	type commit struct{ repo, id string }
	seen := map[commit]bool{}
	firsts := map[string][]int{} // by repository, the first job of each of its commits
	var rest []int
	var names []string
	for i, j := range jobs {
		c := commit{j.e.ArchGitRepo(j.arch), j.e.ArchGitCommit(j.arch)}
		if seen[c] {
			rest = append(rest, i)
			continue
		}
		seen[c] = true
		if firsts[c.repo] == nil {
			names = append(names, c.repo)
		}
		firsts[c.repo] = append(firsts[c.repo], i)
	}
	order := make([]int, 0, len(jobs))
	for round := 0; len(order) < len(jobs)-len(rest); round++ {
		for _, name := range names {
			if round < len(firsts[name]) {
				order = append(order, firsts[name][round])
			}
		}
	}
	return append(order, rest...)
}
