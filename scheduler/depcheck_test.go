package scheduler

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyBudget keeps the engine-free packages engine-free: the
// library language, the platforms and the scheduler never depend, even
// indirectly, on BuildKit or a registry client. Only builder does.
func TestDependencyBudget(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	pkgs := []string{"./manifest/...", "./platforms/...", "./scheduler/..."}
	out, err := exec.Command("go", append([]string{"list", "-C", "..", "-deps", "-f", "{{.ImportPath}}"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"github.com/moby/buildkit", "github.com/google/go-containerregistry", "google.golang.org/grpc", "github.com/brewkit/brewkit/builder", "github.com/brewkit/brewkit/cmd"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("%s depends on %s", strings.Join(pkgs, " "), dep)
			}
		}
	}
}
