package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/registrytest"
	"github.com/brewkit/brewkit/manifest/check"
)

// The fixtures of testdata/naughty: libraries/NAME are library directories
// (sources made by make-repos.sh), and expected/NAME.SCRIPT.out and .exit
// are what official-images' SCRIPT.sh printed and exited with, run with the
// real bashbrew (hack/conformance/naughty-fixtures.sh recorded them).
var naughtyScripts = []string{"naughty-sharedtags", "naughty-from", "naughty-constraints"}

// naughtyRule is the brewkit check rule of each script.
var naughtyRule = map[string]check.Rule{
	"naughty-sharedtags":  check.RuleSharedTags,
	"naughty-from":        check.RuleFrom,
	"naughty-constraints": check.RuleConstraints,
}

// officialImagesEnv names a git directory of docker-library/official-images
// whose naughty scripts TestNaughtyScripts runs; by default the mirror this
// project's machines keep.
const officialImagesEnv = "BREWKIT_OFFICIAL_IMAGES"

func naughtyLibraries(t *testing.T, testdata string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(testdata, "libraries", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixture libraries: %v", err)
	}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = filepath.Base(d)
	}
	return names
}

// naughtyLibrary copies fixture library name into dir, its @REPOS@ made
// repos, and returns it.
func naughtyLibrary(t *testing.T, testdata, repos, name string) string {
	t.Helper()
	library := filepath.Join(t.TempDir(), "library")
	if err := os.Mkdir(library, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(testdata, "libraries", name, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no library files in %s: %v", name, err)
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

func naughtyRepos(t *testing.T, testdata string) string {
	t.Helper()
	repos := filepath.Join(t.TempDir(), "repos")
	if out, err := exec.Command("bash", filepath.Join(testdata, "make-repos.sh"), repos).CombinedOutput(); err != nil {
		t.Fatalf("make-repos.sh: %v\n%s", err, out)
	}
	return repos
}

// naughtyPins serves the external images of testdata's external-pins.txt
// from an in-process registry standing in for Docker Hub, writes their
// pins into the .external-pins directory pins (where official-images has
// none of theirs), and returns the registry's URL for
// DOCKERHUB_PUBLIC_PROXY.
func naughtyPins(t *testing.T, testdata, pins string) string {
	t.Helper()
	images, err := registrytest.ReadPinned(filepath.Join(testdata, "external-pins.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range images {
		if _, err := os.Stat(registrytest.PinFile(pins, img.Image)); err == nil {
			t.Fatalf("official-images pins %s itself: the fixture's pin would replace it", img.Image)
		}
	}
	host := registrytest.Serve(t)
	if err := registrytest.PushPinned(t.Context(), host, images, pins); err != nil {
		t.Fatal(err)
	}
	return "http://" + host
}

func readExpected(t *testing.T, testdata, lib, script string) (out string, exit int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "expected", lib+"."+script+".out"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := os.ReadFile(filepath.Join(testdata, "expected", lib+"."+script+".exit"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Sscan(string(e), &exit); err != nil {
		t.Fatalf("%s.%s.exit: %v", lib, script, err)
	}
	return string(b), exit
}

// officialImages extracts the naughty scripts' official-images checkout
// (git archive of the commit the expected outputs were recorded at, else
// HEAD) into a temporary directory, or skips the test when there is no
// official-images git directory.
func officialImages(t *testing.T, testdata string) string {
	t.Helper()
	var gitDir string
	candidates := []string{os.Getenv(officialImagesEnv)}
	if candidates[0] == "" {
		candidates = []string{"/work/.mirror/docker-library+official-images/repo", "/work/.mirror/docker-library+official-images"}
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if err := exec.Command("git", "-C", c, "rev-parse", "--verify", "-q", "HEAD^{commit}").Run(); err == nil {
			gitDir = c
			break
		}
	}
	if gitDir == "" {
		t.Skipf("no official-images git directory (tried %v; set $%s): the naughty scripts are not committed here, so they cannot be run", candidates, officialImagesEnv)
	}
	rev := "HEAD"
	if b, err := os.ReadFile(filepath.Join(testdata, "expected", "official-images.commit")); err == nil {
		c := strings.TrimSpace(string(b))
		if exec.Command("git", "-C", gitDir, "cat-file", "-e", c+"^{commit}").Run() == nil {
			rev = c
		} else {
			t.Logf("official-images commit %s (of the recording) is not in %s: running HEAD's scripts", c, gitDir)
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", `git -C "$1" archive "$2" | tar x -C "$3"`, "bash", gitDir, rev, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s of %s: %v\n%s", rev, gitDir, err, out)
	}
	return dir
}

// TestNaughtyScripts runs official-images' naughty-sharedtags.sh,
// naughty-from.sh and naughty-constraints.sh with brewkit on PATH as
// bashbrew on each fixture library, and requires the stdout and exit
// status the real bashbrew gave them, byte for byte. The scripts are not
// committed: they come from an official-images git directory ($BREWKIT_OFFICIAL_IMAGES,
// else the machine's mirror), and the test skips without one. brewkit is
// built into a temporary directory as bashbrew.
func TestNaughtyScripts(t *testing.T) {
	for _, tool := range []string{"git", "bash", "jq", "tar", "sort", "comm", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: the naughty scripts need it", tool)
		}
	}
	testdata, err := filepath.Abs(filepath.Join("testdata", "naughty"))
	if err != nil {
		t.Fatal(err)
	}
	oi := officialImages(t, testdata)
	// brewkit is built (without -race, which makes each of the scripts'
	// hundred-odd runs of bashbrew take seconds) into a directory of its own
	// as bashbrew, first on PATH
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go: brewkit is built as bashbrew for the scripts")
	}
	bin := t.TempDir()
	build := exec.Command(goTool, "build", "-o", filepath.Join(bin, "bashbrew"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repos := naughtyRepos(t, testdata)
	proxy := naughtyPins(t, testdata, filepath.Join(oi, ".external-pins"))
	for _, lib := range naughtyLibraries(t, testdata) {
		t.Run(lib, func(t *testing.T) {
			library := naughtyLibrary(t, testdata, repos, lib)
			for _, script := range naughtyScripts {
				t.Run(script, func(t *testing.T) {
					want, wantExit := readExpected(t, testdata, lib, script)
					cmd := exec.Command(filepath.Join(oi, script+".sh"))
					cmd.Dir = oi
					home := t.TempDir()
					cmd.Env = []string{
						"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
						"HOME=" + home, "TMPDIR=" + filepath.Clean(os.TempDir()),
						"BASHBREW_LIBRARY=" + library, "BASHBREW_CACHE=" + filepath.Join(home, "cache"),
						dockerHubProxyEnv + "=" + proxy,
					}
					var stderr strings.Builder
					cmd.Stderr = &stderr
					out, err := cmd.Output()
					exit := 0
					var ee *exec.ExitError
					if errors.As(err, &ee) {
						exit = ee.ExitCode()
					} else if err != nil {
						t.Fatal(err)
					}
					if exit != wantExit {
						t.Errorf("%s: exit %d, bashbrew's %d\nstderr:\n%s", script, exit, wantExit, stderr.String())
					}
					if string(out) != want {
						t.Errorf("%s: output differs from bashbrew's\n%s\ngot:\n%s\nstderr:\n%s", script, firstDifference(string(out), want), out, stderr.String())
					}
				})
			}
		})
	}
}

// wantFinding is a finding a script's output names: brewkit check must
// report one with this rule and tag, the architecture (when not empty),
// and a message containing each of the strings in msg.
type wantFinding struct {
	rule check.Rule
	tag  string
	arch string
	msg  []string
}

func (w wantFinding) matches(f check.Finding) bool {
	if f.Rule != w.rule || f.Tag != w.tag || (w.arch != "" && f.Arch != w.arch) {
		return false
	}
	for _, m := range w.msg {
		if !strings.Contains(f.Message, m) {
			return false
		}
	}
	return true
}

func (w wantFinding) String() string {
	return fmt.Sprintf("%s %s [%s] %q", w.rule, w.tag, w.arch, w.msg)
}

var (
	sharedTagsHeadRE = regexp.MustCompile(`^ - (.+): \(duplicate architectures in SharedTags; .*\)$`)
	fromArchesRE     = regexp.MustCompile(`^ - (\S+) \(FROM (\S+)\) \[(.+)\]$`)
	fromAllRE        = regexp.MustCompile(`^ - (\S+) \(FROM (\S+)\) -- completely unsupported base!$`)
	constraintsRE    = regexp.MustCompile(`^ - (\S+) -- (missing|extra) constraints \(FROM \S+\):$`)
	itemRE           = regexp.MustCompile(`^   - (\S+)$`)
)

// parseNaughty reads the findings a script's output names; exit is its
// exit status. naughty-constraints.sh stops with status 1 at an unknown
// Windows image (its message goes to stderr, which is not recorded).
func parseNaughty(t *testing.T, script, out string, exit int) []wantFinding {
	t.Helper()
	var wants []wantFinding
	var heads []wantFinding // the findings the item lines below complete
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		var m []string
		switch {
		case line == "":
			heads = nil
		case script == "naughty-sharedtags" && sharedTagsHeadRE.MatchString(line):
			m = sharedTagsHeadRE.FindStringSubmatch(line)
			heads = nil
			for _, tag := range strings.Split(m[1], ", ") {
				heads = append(heads, wantFinding{rule: check.RuleSharedTags, tag: tag})
			}
		case script == "naughty-from" && fromArchesRE.MatchString(line):
			m = fromArchesRE.FindStringSubmatch(line)
			for _, arch := range strings.Split(m[3], ", ") {
				wants = append(wants, wantFinding{rule: check.RuleFrom, tag: m[1], arch: arch, msg: []string{"FROM " + m[2] + " "}})
			}
		case script == "naughty-from" && fromAllRE.MatchString(line):
			m = fromAllRE.FindStringSubmatch(line)
			wants = append(wants, wantFinding{rule: check.RuleFrom, tag: m[1], msg: []string{"FROM " + m[2] + " ", "completely unsupported"}})
		case script == "naughty-from" && strings.HasPrefix(line, " - DOI cannot support riscv64 on Ubuntu 25.10+"):
			// the script's one message, after the list: some riscv64 finding says why
			wants = append(wants, wantFinding{rule: check.RuleFrom, tag: "*", arch: "riscv64", msg: []string{"RVA23"}})
		case script == "naughty-constraints" && constraintsRE.MatchString(line):
			m = constraintsRE.FindStringSubmatch(line)
			heads = []wantFinding{{rule: check.RuleConstraints, tag: m[1], msg: []string{m[2] + " constraint"}}}
		case itemRE.MatchString(line) && len(heads) > 0:
			item := itemRE.FindStringSubmatch(line)[1]
			for _, h := range heads {
				w := h
				if w.rule == check.RuleSharedTags {
					w.arch = item
				} else {
					w.msg = append(slices.Clone(w.msg), fmt.Sprintf("%q", item))
				}
				if !slices.ContainsFunc(wants, func(x wantFinding) bool { return x.String() == w.String() }) {
					wants = append(wants, w)
				}
			}
		default:
			t.Fatalf("%s: cannot read line %q of the recorded output", script, line)
		}
	}
	if script == "naughty-constraints" && exit != 0 {
		wants = append(wants, wantFinding{rule: check.RuleConstraints, tag: "*", msg: []string{"unknown Windows image"}})
	}
	return wants
}

// TestNaughtyCheck is the hermetic half of TestNaughtyScripts: brewkit
// check on each fixture library must report every finding that the
// recorded outputs of the real bashbrew's scripts name (rule, repo:tag,
// architecture where the script gives one, and the FROM or constraint),
// nothing the scripts did not name, and fail as many rules as scripts
// found something. No official-images checkout is needed: the recorded
// outputs are committed.
func TestNaughtyCheck(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	testdata, err := filepath.Abs(filepath.Join("testdata", "naughty"))
	if err != nil {
		t.Fatal(err)
	}
	repos := naughtyRepos(t, testdata)
	pins := t.TempDir()
	proxy := naughtyPins(t, testdata, pins)
	for _, lib := range naughtyLibraries(t, testdata) {
		t.Run(lib, func(t *testing.T) {
			library := naughtyLibrary(t, testdata, repos, lib)
			var wants []wantFinding
			wantFailed := 0
			for _, script := range naughtyScripts {
				out, exit := readExpected(t, testdata, lib, script)
				w := parseNaughty(t, script, out, exit)
				if len(w) > 0 {
					wantFailed++
				}
				wants = append(wants, w...)
			}
			// the pins of external-pins.txt only, its images in the proxy
			env := map[string]string{"BREWKIT_LIBRARY": library, "BREWKIT_CACHE": t.TempDir(), "HOME": "/nonexistent", dockerHubProxyEnv: proxy}
			args := []string{"check", "--all", "--format", "json", "--pins", pins, "--strict"}
			for _, s := range naughtyScripts {
				args = append(args, "--rule", string(naughtyRule[s]))
			}
			stdout, stderr, err := brewkit(t, env, args...)
			failed := 0
			var ee *exitError
			if errors.As(err, &ee) {
				failed = ee.code
			} else if err != nil {
				t.Fatalf("brewkit check: %v\n%s", err, stderr)
			}
			var got checkOutput
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("brewkit check --format json: %v\n%s\nstderr:\n%s", err, stdout, stderr)
			}
			if len(got.Skipped) > 0 {
				t.Errorf("brewkit check skipped checks: %v", got.Skipped)
			}
			for _, w := range wants {
				if !slices.ContainsFunc(got.Findings, func(f check.Finding) bool {
					w := w
					if w.tag == "*" { // a message naming no tag: any of the library's
						w.tag = f.Tag
					}
					return w.matches(f)
				}) {
					t.Errorf("the scripts found %s; brewkit check did not. Its findings:\n%s", w, findingLines(got.Findings))
				}
			}
			for _, f := range got.Findings {
				if !slices.ContainsFunc(wants, func(w wantFinding) bool {
					return w.rule == f.Rule && (w.tag == "*" || w.tag == f.Tag) && (w.arch == "" || w.arch == f.Arch)
				}) {
					t.Errorf("brewkit check found what the scripts did not: %s", f)
				}
			}
			if failed != wantFailed {
				t.Errorf("brewkit check: exit %d (rules failed), want %d (scripts that found something)\nstderr:\n%s", failed, wantFailed, stderr)
			}
		})
	}
}

func findingLines(fs []check.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	return b.String()
}
