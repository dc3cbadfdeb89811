package main

import (
	"errors"
	"strings"
	"testing"
)

// Bad usage exits 2, with an error that says what is wrong, before any
// worker or registry is reached.
func TestReproduceUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no reference", []string{"reproduce"}, "reproduce takes one image reference"},
		{"two references", []string{"reproduce", "a/b:1", "c/d:2"}, "got 2 arguments"},
		{"unknown flag", []string{"reproduce", "a/b:1", "--nonsense"}, "unknown flag: --nonsense"},
		{"bad format", []string{"reproduce", "127.0.0.1:5000/lib/app:1", "--format", "xml", "--worker", "amd64=unix:///nowhere.sock"}, `--format "xml": want text or json`},
		{"bad platform", []string{"reproduce", "127.0.0.1:5000/lib/app:1", "--platform", "linux/sparc", "--worker", "amd64=unix:///nowhere.sock"}, "--platform"},
		{"no record", []string{"reproduce", "127.0.0.1:5000/lib/app:1", "--record", "/nonexistent/build.json", "--worker", "amd64=unix:///nowhere.sock"}, "--record"},
		{"no workers", []string{"reproduce", "127.0.0.1:5000/lib/app:1"}, "no workers"},
		{"bad reference", []string{"reproduce", "UPPER/Case:1", "--worker", "amd64=unix:///nowhere.sock"}, "want REGISTRY/NAMESPACE/REPO:TAG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			env["BREWKIT_CACHE"] = t.TempDir() // --cache
			_, _, err := brewkit(t, env, tc.args...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("brewkit %q: %v; want exit 2 with %q", tc.args, err, tc.want)
			}
		})
	}
}
