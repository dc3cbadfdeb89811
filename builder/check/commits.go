package check

import (
	"context"
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/check"
)

// The limits of naughty-commits.sh: binary files matching tarPathspec that
// a commit modifies may be at most maxBinaryMB whole MiB (so a 2.9 MiB
// file passes, as the script's integer division has it).
const (
	tarPathspec = "**.tar**"
	maxBinaryMB = 2
)

// commits is naughty-commits.sh for one repo: every source (GitRepo,
// GitFetch, GitCommit) of every entry and architecture must have its
// GitCommit in the history of GitFetch, and no commit in its history may
// modify a binary *.tar* file of more than 2 MiB.
func (c *Checker) commits(ctx context.Context, r *manifest.Repo) ([]check.Finding, []check.Skip) {
	var out []check.Finding
	var skips []check.Skip
	seenSources := map[gitsource.Source]bool{}
	seenCommits := map[string]bool{}
	for _, e := range r.Entries() {
		img := r.RepoName + ":" + e.Tags[0]
		for _, arch := range e.Architectures {
			src := gitsource.Source{Repo: e.ArchGitRepo(arch), Fetch: e.ArchGitFetch(arch), Commit: e.ArchGitCommit(arch)}
			if seenSources[src] {
				continue
			}
			seenSources[src] = true
			finding := func(field, format string, args ...any) {
				out = append(out, check.Finding{Rule: check.RuleCommits, File: r.File, Line: e.FieldLine(field), Tag: img, Arch: arch, Message: fmt.Sprintf(format, args...)})
			}
			skip := func(field string, err error) {
				skips = append(skips, check.Skip{Rule: check.RuleCommits, File: r.File, Line: e.FieldLine(field), Tag: img, Arch: arch, Reason: err.Error()})
			}

			tip, err := c.cache.FetchRef(ctx, src.Repo, src.Fetch)
			var bnf *gitsource.BranchNotFoundError
			var fe *gitsource.FetchError
			switch {
			case errors.As(err, &bnf):
				finding("GitFetch", "unable to fetch GitFetch %s: %s has no such ref; want the branch or tag that holds GitCommit %s", src.Fetch, bnf.Repo, src.Commit)
			case errors.As(err, &fe):
				skip("GitRepo", fmt.Errorf("cannot fetch GitFetch %s: %w", src.Fetch, err))
			case err != nil:
				finding("GitFetch", "unable to fetch GitFetch %s: %v", src.Fetch, err)
			}
			commit, cerr := c.cache.Ensure(ctx, src)
			var cnf *gitsource.CommitNotFoundError
			switch {
			case errors.As(cerr, &fe):
				if err == nil {
					skip("GitRepo", fmt.Errorf("cannot fetch GitCommit %s: %w", src.Commit, cerr))
				}
				continue
			case errors.As(cerr, &cnf):
				if err == nil {
					finding("GitCommit", "GitCommit %s is not in %s (neither by its id nor in GitFetch %s): push it to %s, or fix GitCommit", src.Commit, manifest.RedactGitRepo(src.Repo), src.Fetch, src.Fetch)
				}
				continue
			case cerr != nil:
				if err == nil {
					finding("GitCommit", "GitCommit %s: %v", src.Commit, cerr)
				}
				continue
			}
			if err == nil {
				in, err := commit.IsAncestorOf(ctx, tip)
				switch {
				case err != nil:
					finding("GitCommit", "is GitCommit %s in the history of GitFetch %s? %v", src.Commit, src.Fetch, err)
				case !in:
					finding("GitCommit", "GitCommit %s is not in the history of GitFetch %s (at %s): push it to %s, or set GitFetch to the branch or tag that holds it", src.Commit, src.Fetch, tip.ID(), src.Fetch)
				}
			}

			changes, err := commit.BinaryChanges(ctx, tarPathspec)
			if err != nil {
				finding("GitCommit", "reading the history of GitCommit %s: %v", src.Commit, err)
				continue
			}
			for _, ch := range changes {
				if seenCommits[ch.Commit+"\x00"+ch.Path] {
					continue
				}
				seenCommits[ch.Commit+"\x00"+ch.Path] = true
				mb := ch.Size / 1024 / 1024
				if mb <= maxBinaryMB {
					continue
				}
				which := "GitCommit " + ch.Commit
				if ch.Commit != src.Commit {
					which = fmt.Sprintf("commit %s (in the history of GitCommit %s)", ch.Commit, src.Commit)
				}
				finding("GitCommit", "%s modifies the binary file %s (%d MB, more than %d MB): the sources of official images may not modify binary *.tar* files over %d MB, "+
					"since every version stays in the history of each clone; download it in the Dockerfile instead", which, ch.Path, mb, maxBinaryMB, maxBinaryMB)
			}
		}
	}
	return out, skips
}
