package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBashbrewFixtures runs every command of testdata/bashbrew/cases.txt
// on the fixture library, whose sources are a git repository the test
// makes with testdata/bashbrew/make-repos.sh, and requires bashbrew's
// stdout, byte for byte, and its exit status (zero or not), as
// hack/conformance/bashbrew-fixtures.sh recorded them in
// testdata/bashbrew/expected. Where brewkit differs from bashbrew on
// purpose, testdata/bashbrew/brewkit/NAME.out holds brewkit's answer and
// the README there says why.
func TestBashbrewFixtures(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	testdata, err := filepath.Abs(filepath.Join("testdata", "bashbrew"))
	if err != nil {
		t.Fatal(err)
	}
	library := fixtureLibrary(t, testdata)
	for _, c := range fixtureCases(t, testdata) {
		t.Run(c.name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(testdata, "brewkit", c.name+".out"))
			if errors.Is(err, os.ErrNotExist) {
				want, err = os.ReadFile(filepath.Join(testdata, "expected", c.name+".out"))
			}
			if err != nil {
				t.Fatal(err)
			}
			exit, err := os.ReadFile(filepath.Join(testdata, "expected", c.name+".exit"))
			if err != nil {
				t.Fatal(err)
			}
			wantFail := strings.TrimSpace(string(exit)) != "0"
			env := map[string]string{"BREWKIT_LIBRARY": library, "BREWKIT_CACHE": t.TempDir(), "BREWKIT_ARCH": "amd64", "HOME": "/nonexistent"}
			out, stderr, err := brewkit(t, env, c.args...)
			if (err != nil) != wantFail {
				t.Fatalf("brewkit %s: error %v, want failure %v\nstderr:\n%s", strings.Join(c.args, " "), err, wantFail, stderr)
			}
			if out != string(want) {
				t.Errorf("brewkit %s: output differs from bashbrew's\n%s\ngot:\n%s", strings.Join(c.args, " "), firstDifference(out, string(want)), out)
			}
		})
	}
}

type fixtureCase struct {
	name string
	args []string
}

// fixtureCases reads cases.txt.
func fixtureCases(t *testing.T, testdata string) []fixtureCase {
	t.Helper()
	f, err := os.Open(filepath.Join(testdata, "cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []fixtureCase
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(strings.ReplaceAll(s.Text(), "@TESTDATA@", testdata))
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		cases = append(cases, fixtureCase{name: fields[0], args: fields[1:]})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// fixtureLibrary makes the fixture's git repository and library in a
// temporary directory and returns the library.
func fixtureLibrary(t *testing.T, testdata string) string {
	t.Helper()
	dir := t.TempDir()
	repos := filepath.Join(dir, "repos")
	if out, err := exec.Command("bash", filepath.Join(testdata, "make-repos.sh"), repos).CombinedOutput(); err != nil {
		t.Fatalf("make-repos.sh: %v\n%s", err, out)
	}
	library := filepath.Join(dir, "library")
	if err := os.Mkdir(library, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(testdata, "library", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture library files: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.ReplaceAll(string(b), "@REPOS@", repos))
		if err := os.WriteFile(filepath.Join(library, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return library
}
