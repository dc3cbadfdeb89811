package auth

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBudget keeps the guard to the standard library: what
// checks tokens should be small enough to read in one sitting, and the
// web package that composes it must not pull in the daemon through it.
func TestDependencyBudget(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/brewkit/brewkit/builder/serve/auth" {
			t.Errorf("package auth depends on %s", dep)
		}
	}
}
