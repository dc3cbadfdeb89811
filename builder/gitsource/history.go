package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// IsAncestorOf reports whether c is in the history of tip (c itself
// included): git merge-base --is-ancestor. Both must be commits of the
// same repository of the cache, as [Cache.Ensure] and [Cache.FetchRef]
// return them for one GitRepo.
func (c *Commit) IsAncestorOf(ctx context.Context, tip *Commit) (bool, error) {
	if c.git.gitDir != tip.git.gitDir {
		return false, fmt.Errorf("%s and %s are in different repositories", c, tip)
	}
	_, err := c.git.run(ctx, "merge-base", "--is-ancestor", c.id, tip.id)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return false, nil
	}
	return err == nil, err
}

// BinaryChange is a binary file that a commit deletes, modifies or
// changes the type of.
type BinaryChange struct {
	Commit string // the commit's id
	Path   string
	Size   int64 // the file's size in that commit; 0 when the commit deletes it
}

// BinaryChanges returns the binary files that the commits of c's history
// (c included, newest first) delete, modify or change the type of
// (--diff-filter=DMT, added files are not listed), among those matching
// pathspec, a git pathspec such as "**.tar**" (whose '*' matches '/'
// too). It is naughty-commits.sh's query: git log --diff-filter=DMT, then
// for each commit git diff-tree --numstat, binary files showing "-" for
// their line counts, and their size from git ls-tree --long.
func (c *Commit) BinaryChanges(ctx context.Context, pathspec string) ([]BinaryChange, error) {
	// the runner's pathspecs are literal; naughty-commits.sh's are git's
	// default, wildcards where '*' matches '/' too
	git := c.git.with(nil, []string{"GIT_LITERAL_PATHSPECS=0"})
	out, err := git.run(ctx, "log", "--diff-filter=DMT", "--format=format:%H", c.id, "--", pathspec)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", c, err)
	}
	var changes []BinaryChange
	for _, commit := range strings.Fields(string(out)) {
		stat, err := git.run(ctx, "diff-tree", "--no-commit-id", "-r", "-z", "--numstat", "--diff-filter=DMT", commit, "--", pathspec)
		if err != nil {
			return nil, fmt.Errorf("files of %s: %w", commit, err)
		}
		for _, rec := range bytes.Split(stat, []byte{0}) {
			// "ADDED\tDELETED\tPATH"; a binary file has "-" for both counts
			fields := strings.SplitN(string(rec), "\t", 3)
			if len(fields) != 3 || fields[0] != "-" {
				continue
			}
			size, err := c.blobSize(ctx, commit, fields[2])
			if err != nil {
				return nil, err
			}
			changes = append(changes, BinaryChange{Commit: commit, Path: fields[2], Size: size})
		}
	}
	return changes, nil
}

// blobSize is the size of path in commit, 0 when it is not there.
func (c *Commit) blobSize(ctx context.Context, commit, path string) (int64, error) {
	out, err := c.git.run(ctx, "ls-tree", "-z", "--long", commit, "--", path) // literal
	if err != nil {
		return 0, fmt.Errorf("size of %s in %s: %w", path, commit, err)
	}
	// "MODE TYPE OID SIZE\tPATH"
	meta, _, ok := strings.Cut(string(out), "\t")
	if f := strings.Fields(meta); ok && len(f) == 4 {
		if n, err := strconv.ParseInt(f[3], 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, nil
}
