package farmtest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Farm is the lab farm as its workers file describes it.
type Farm struct {
	// Workers are the farm's workers, one per architecture.
	Workers []workers.Worker
	// Registry is the farm's registry, such as "127.0.0.1:5000".
	Registry string
	// Root is the top of the checkout, the directory holding go.mod.
	Root string
	// File is the path of the workers file read.
	File string

	tb testing.TB
}

// Require returns the farm for an end-to-end test. It skips the test unless
// BREWKIT_E2E=1, and fails it when the workers file cannot be read or a
// worker does not answer, saying how to start the farm.
func Require(t testing.TB) Farm {
	t.Helper()
	if os.Getenv("BREWKIT_E2E") != "1" {
		t.Skip("end-to-end test: run hack/farm up, then set BREWKIT_E2E=1")
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	file := os.Getenv("BREWKIT_FARM_WORKERS")
	if file == "" {
		file = filepath.Join(root, ".farm", "workers.yaml")
	}
	c, err := workers.LoadConfig(file)
	if err != nil {
		t.Fatalf("BREWKIT_E2E=1 but the farm is not usable (hack/farm up starts it): %v", err)
	}
	var down []error
	for _, s := range builder.ProbeAll(t.Context(), c.Workers, builder.WithProbeTimeout(5*time.Second)) {
		if !s.Up {
			down = append(down, s.Err)
		}
	}
	if err := errors.Join(down...); err != nil {
		t.Fatalf("BREWKIT_E2E=1 but farm workers do not answer (hack/farm up starts them):\n%v", err)
	}
	return Farm{Workers: c.Workers, Registry: c.Registry, Root: root, File: file, tb: t}
}

// Worker returns the first farm worker that builds arch natively, and fails
// the test if there is none.
func (f Farm) Worker(arch string) workers.Worker {
	f.tb.Helper()
	for _, w := range f.Workers {
		if slices.Contains(w.Arches, arch) {
			return w
		}
	}
	f.tb.Fatalf("the farm (%s) has no worker for %s", f.File, arch)
	return workers.Worker{}
}

// Bin returns the path of a tool hack/farm built, such as "buildkitd".
func (f Farm) Bin(name string) string {
	return filepath.Join(f.Root, ".farm", "bin", name)
}

// RepoRoot returns the top of the checkout: the nearest directory, from the
// working directory up, that holds a go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the checkout: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if d == filepath.Dir(d) {
			return "", fmt.Errorf("finding the checkout: no go.mod in %s or above", dir)
		}
	}
}

// tail returns the last n lines of the file at path, for failure messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
