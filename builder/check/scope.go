package check

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strings"
)

// ChangedRepos returns the names of the library files that the commits of
// against...HEAD add or change (deleted ones are left out) in library, a
// directory of a git checkout (official-images' library/): naughty.sh's
// git diff --no-renames --name-only --diff-filter=d FETCH_HEAD...HEAD --
// library/, sorted.
func ChangedRepos(ctx context.Context, library, against string) ([]string, error) {
	if against == "" || strings.HasPrefix(against, "-") {
		return nil, fmt.Errorf("--against %q: want a commit or ref", against)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", library, "diff", "--no-renames", "--name-only", "--relative", "--diff-filter=d", against+"...HEAD", "--", ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("changes of %s since %s: git diff: %w: %s", library, against, err, strings.TrimSpace(stderr.String()))
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			names = append(names, path.Base(l))
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
