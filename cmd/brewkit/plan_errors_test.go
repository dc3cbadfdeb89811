package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPlanUnreachableRepository plans 6 jobs of 3 entries from a GitRepo
// that is gone: one fetch fails (git's error takes several lines), the
// other jobs fail at once with its repeat. Each job is one row, its
// PROBLEM cut to the first line; stderr has the error in full once, for
// the arches of the entry that fetched, and one line for the repeats.
func TestPlanUnreachableRepository(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "gone")
	entry := func(tag, arches string, commit byte) string {
		return fmt.Sprintf("\nTags: %s\nArchitectures: %s\nGitCommit: %s\n", tag, arches, strings.Repeat(string(commit), 40))
	}
	head := maintainers + "GitRepo: " + gone + "\n"
	lib := writeLibrary(t, map[string]string{
		"foo": head + entry("1", "amd64, arm64v8", 'a') + entry("2", "amd64", 'b'),
		"bar": head + entry("1", "amd64, arm64v8, s390x", 'c'),
	})
	out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, "--library", lib, "plan", "--all", "--cache", t.TempDir())
	if err == nil || err.Error() != "6 of 6 jobs cannot be built" {
		t.Errorf("brewkit plan: error %v, want 6 of 6 jobs cannot be built", err)
	}

	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 1+6 {
		t.Errorf("plan table: %d lines, want a header and 6 rows:\n%s", len(rows), out)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(r, ": fetching "+gone) || !strings.HasSuffix(r, ": '"+gone+"' does not appear to be a git repository …") {
			t.Errorf("plan table: row %q, want the first line of the fetch's error, and …", r)
		}
	}

	first := regexp.MustCompile(`^` + regexp.QuoteMeta(lib) + `/(foo|bar):\d \((foo|bar):1\) for ([a-z0-9, ]+): fetching ` +
		regexp.QuoteMeta(gone+": '"+gone+"' does not appear to be a git repository") + `$`)
	repeats := regexp.MustCompile(`^(\d) jobs? not fetched: fetching ` +
		regexp.QuoteMeta(gone+" (not retried: it failed less than 1m0s ago): '"+gone+"' does not appear to be a git repository") + `$`)
	jobs, fetched, repeated := 0, 0, 0
	for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		switch m, n := first.FindStringSubmatch(l), repeats.FindStringSubmatch(l); {
		case l == "" || strings.HasPrefix(l, "    "): // git's error, continued
		case m != nil:
			fetched++
			jobs += len(strings.Split(m[3], ", "))
		case n != nil:
			repeated++
			k, _ := strconv.Atoi(n[1])
			jobs += k
		default:
			t.Errorf("stderr: unexpected line %q", l)
		}
	}
	if fetched != 1 || repeated > 1 || jobs != 6 {
		t.Errorf("stderr: %d lines for the fetch and %d for repeats, for %d jobs; want 1, at most 1, for 6:\n%s", fetched, repeated, jobs, stderr)
	}
}
