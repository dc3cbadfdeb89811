package store

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBudget keeps the store light: a reader of the daemon's
// state (a status page, a debugging tool) needs bbolt and the standard
// library, not BuildKit, a registry client or the rest of brewkit.
func TestDependencyBudget(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{"github.com/brewkit/brewkit/builder/serve/store", "go.etcd.io/bbolt", "golang.org/x/sys"}
	for _, dep := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			ok = ok || dep == a || strings.HasPrefix(dep, a+"/")
		}
		if !ok {
			t.Errorf("package store depends on %s", dep)
		}
	}
}
