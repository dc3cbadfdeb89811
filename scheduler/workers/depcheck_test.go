package workers_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package a leaf: the standard library, YAML and
// brewkit/platforms only, so that describing workers never pulls in BuildKit.
func TestImports(t *testing.T) {
	allowed := map[string]bool{
		"go.yaml.in/yaml/v3":                   true,
		"github.com/brewkit/brewkit/platforms": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if !strings.Contains(first, ".") || allowed[p] {
				continue // the standard library has no dot in its first element
			}
			t.Errorf("%s imports %s; package workers may import only the standard library, %s",
				fset.Position(imp.Pos()), p, "go.yaml.in/yaml/v3 and github.com/brewkit/brewkit/platforms")
		}
	}
}
