package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConformance runs brewkit over every official-images snapshot in
// ../shared/conformance (or the directories in $BREWKIT_CONFORMANCE,
// separated by ':'), each a library/ directory and an expected/ directory
// holding bashbrew's answers, and requires the same bytes.
//
// An expected file's name says what produced it; see conformanceArgs.
func TestConformance(t *testing.T) {
	snapshots := conformanceSnapshots(t)
	if len(snapshots) == 0 {
		t.Skip("no official-images snapshot: ../shared/conformance is absent and $BREWKIT_CONFORMANCE is unset")
	}
	jobs, err := filepath.Abs(filepath.Join("testdata", "jobs.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range snapshots {
		files, err := filepath.Glob(filepath.Join(dir, "expected", "*.txt"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no expected/*.txt: %v", dir, err)
		}
		for _, file := range files {
			name := filepath.Base(dir) + "/" + strings.TrimSuffix(filepath.Base(file), ".txt")
			t.Run(name, func(t *testing.T) {
				args, ok := conformanceArgs(filepath.Base(file), jobs)
				if !ok {
					t.Fatalf("%s: unknown expected output; teach conformanceArgs what produces it", file)
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				env := map[string]string{"BREWKIT_LIBRARY": filepath.Join(dir, "library")}
				out, _, err := brewkit(t, env, args...)
				if err != nil {
					t.Fatalf("brewkit %s: %v", strings.Join(args, " "), err)
				}
				if !bytes.Equal([]byte(out), want) {
					t.Errorf("brewkit %s: output differs from %s\n%s", strings.Join(args, " "), file, firstDifference(out, string(want)))
				}
			})
		}
	}
}

func conformanceSnapshots(t *testing.T) []string {
	if env := os.Getenv("BREWKIT_CONFORMANCE"); env != "" {
		return strings.Split(env, ":")
	}
	dirs, err := filepath.Glob(filepath.Join("..", "..", "..", "shared", "conformance", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var snapshots []string
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, "expected")); err == nil && fi.IsDir() {
			snapshots = append(snapshots, d)
		}
	}
	return snapshots
}

var (
	archFilterRE  = regexp.MustCompile(`^list-archfilter-([a-z0-9-]+)\.txt$`)
	constrainedRE = regexp.MustCompile(`^list-uniq-constrained-([a-z0-9-]+)\.txt$`)
)

// conformanceArgs maps an expected file's name to the command that made it.
func conformanceArgs(name, jobsTemplate string) ([]string, bool) {
	switch name {
	case "list-all.txt":
		return []string{"list", "--all"}, true
	case "list-uniq.txt":
		return []string{"list", "--all", "--uniq"}, true
	case "list-repos.txt":
		return []string{"list", "--all", "--repos"}, true
	case "cat-all.txt":
		return []string{"cat", "--all"}, true
	case "jobs.txt":
		return []string{"cat", "--all", "--format-file", jobsTemplate}, true
	}
	if m := archFilterRE.FindStringSubmatch(name); m != nil {
		return []string{"--arch", m[1], "list", "--all", "--arch-filter"}, true
	}
	if m := constrainedRE.FindStringSubmatch(name); m != nil {
		return []string{"--arch", m[1], "list", "--all", "--uniq", "--apply-constraints"}, true
	}
	return nil, false
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s", i+1, gl, wl)
		}
	}
	return "(trailing bytes)"
}
