package main

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/scheduler/record"
)

// The fixture of the end-to-end tests of build_e2e_test.go, and the
// helpers that run brewkit and read what it wrote.

// farmArches are the farm's architectures and what `uname -m` prints on each.
var farmArches = map[string]string{"amd64": "x86_64", "arm64v8": "aarch64", "ppc64le": "ppc64le", "s390x": "s390x"}

// ociArches are the architectures of the oci-import entry.
var ociArches = []string{"amd64", "arm64v8"}

const maintainers = "Maintainers: brewkit e2e <e2e@brewkit.invalid> (@brewkit)\n"

// fixture is the git side of the test library: three repositories on one
// git daemon.
type fixture struct {
	farm farmtest.Farm
	// base holds base/ARCH/{Dockerfile,busybox}: a busybox image per arch.
	baseURL, baseCommit string
	// app holds the Dockerfiles built FROM base (mid, top, shared, ...).
	appURL, appCommit string
	// oci holds oci/ARCH, an OCI image layout per arch of ociArches.
	ociURL, ociCommit string
	ociDigests        map[string]string // the layouts' manifest digests, by arch
}

// appFiles are the Dockerfiles of the app repository, by directory.
var appFiles = map[string]string{
	"mid/Dockerfile": "FROM base\nRUN uname -m > /arch\n",
	"top/Dockerfile": `ARG MID=mid:1
FROM --platform=$BUILDPLATFORM base AS build
RUN echo built-on-$(uname -m) > /b
FROM ${MID}
COPY --from=build /b /b
RUN cat /arch /b
`,
	"shared/Dockerfile":    "FROM base\nRUN uname -m > /arch && echo shared > /shared\n",
	"onimport/Dockerfile":  "FROM imported:1\nRUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\nRUN uname -m > /arch\n",
	"good/Dockerfile":      "FROM base\nRUN uname -m > /arch && echo good > /good\n",
	"failing/Dockerfile":   "FROM base\nRUN exit 3\n",
	"afterfail/Dockerfile": "FROM failing:1\nRUN true\n",
}

// newFixture creates the repositories on a new git daemon.
func newFixture(t *testing.T, farm farmtest.Farm) *fixture {
	t.Helper()
	git := farmtest.GitDaemon(t)
	f := &fixture{farm: farm, ociDigests: map[string]string{}}
	// A comment of its own in base's last RUN makes the workers build this
	// run's images rather than take them from their caches.
	nonce := randomHex(t)
	base, oci := map[string]string{}, map[string]string{}
	for arch := range farmArches {
		bin := string(farmtest.Busybox(t, arch))
		base["base/"+arch+"/busybox"] = bin
		base["base/"+arch+"/Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\n" +
			"RUN [\"/bin/busybox\",\"--install\",\"-s\",\"/bin\"]\nRUN uname -m > /arch # e2e run " + nonce + "\n"
		if slices.Contains(ociArches, arch) {
			layout, digest := sourcetest.OCILayout(t, arch, map[string]string{"bin/busybox": bin})
			f.ociDigests[arch] = digest
			for p, content := range layout {
				oci["oci/"+arch+"/"+p] = content
			}
		}
	}
	f.baseURL, f.baseCommit = git.NewRepo(t, "base", base)
	f.appURL, f.appCommit = git.NewRepo(t, "app", appFiles)
	f.ociURL, f.ociCommit = git.NewRepo(t, "oci", oci)
	return f
}

// baseFile is the library file of base for arches, each in its own
// directory (per-arch overrides).
func (f *fixture) baseFile(arches ...string) string {
	s := maintainers + "GitRepo: " + f.baseURL + "\nGitCommit: " + f.baseCommit + "\n\nTags: latest\nArchitectures: " +
		strings.Join(arches, ", ") + "\n"
	for _, a := range arches {
		s += a + "-Directory: base/" + a + "\n"
	}
	return s
}

// appFile is a library file of one entry of the app repository.
func (f *fixture) appFile(tags, dir string, arches ...string) string {
	return maintainers + "GitRepo: " + f.appURL + "\nGitCommit: " + f.appCommit + "\n\nTags: " + tags +
		"\nArchitectures: " + strings.Join(arches, ", ") + "\nDirectory: " + dir + "\n"
}

// library is the whole fixture: base -> mid -> top across three library
// files, top with an ARG in FROM and a $BUILDPLATFORM stage and a Windows
// arch, an oci-import entry and a child of it, and one source (shared)
// named by two library files, alpha and beta.
func (f *fixture) library(t *testing.T) string {
	all := []string{"amd64", "arm64v8", "ppc64le", "s390x"}
	imported := maintainers + "GitRepo: " + f.ociURL + "\nGitCommit: " + f.ociCommit + "\n\nTags: 1\nBuilder: oci-import\n" +
		"File: index.json\nArchitectures: " + strings.Join(ociArches, ", ") + "\n"
	for _, a := range ociArches {
		imported += a + "-Directory: oci/" + a + "\n"
	}
	return writeLibrary(t, map[string]string{
		"base":     f.baseFile(all...),
		"mid":      f.appFile("1", "mid", all...),
		"top":      f.appFile("1", "top", append(all, "windows-amd64")...),
		"imported": imported,
		"onimport": f.appFile("1", "onimport", ociArches...),
		"alpha":    f.appFile("1", "shared", "amd64", "ppc64le"),
		"beta":     f.appFile("2, latest", "shared", "amd64", "ppc64le"),
	})
}

// writeLibrary writes files (repo name -> content) to a new directory and
// returns it.
func writeLibrary(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for repo, content := range files {
		if err := os.WriteFile(filepath.Join(dir, repo), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// run is one `brewkit build`.
type run struct {
	stdout, stderr string
	err            error
	took           time.Duration
	meta           record.Record // the --metadata-file, a build record
	metaRaw        []byte        // as written
}

// buildEnv is the environment of every e2e command: no user settings.
func buildEnv(t *testing.T) map[string]string {
	return map[string]string{"HOME": t.TempDir()}
}

// stagingPrefix is a staging repository prefix of the test's own on the
// farm's registry, so that no other run's images count as up to date.
func stagingPrefix(t *testing.T, farm farmtest.Farm) string {
	return farm.Registry + "/e2e-" + randomHex(t) + "/staging"
}

// randomHex returns 12 random hex digits.
func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// build runs `brewkit --library LIB build --all` with args, on workers,
// into staging, with cache, and reads its metadata file.
func build(t *testing.T, lib, workersFile, staging, cache string, args ...string) run {
	t.Helper()
	metaFile := filepath.Join(t.TempDir(), "metadata.json")
	args = append([]string{"--library", lib, "build", "--all", "--cache", cache, "--workers", workersFile,
		"--staging", staging, "--progress", "plain", "--metadata-file", metaFile}, args...)
	start := time.Now()
	var r run
	r.stdout, r.stderr, r.err = brewkit(t, buildEnv(t), args...)
	r.took = time.Since(start)
	t.Logf("brewkit build (%s): %v\n%s", r.took.Round(10*time.Millisecond), r.err, r.stdout)
	raw, err := os.ReadFile(metaFile)
	if err != nil {
		t.Fatalf("brewkit build wrote no --metadata-file: %v\nstderr:\n%s", err, r.stderr)
	}
	r.metaRaw = raw
	if r.meta, err = record.Read(bytes.NewReader(raw)); err != nil {
		t.Fatalf("--metadata-file: %v\n%s", err, raw)
	}
	return r
}

// totals is the summary's last line up to " in DURATION".
func (r run) totals() string {
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	last, _, _ := strings.Cut(lines[len(lines)-1], " in ")
	return last
}

// statuses returns the status of every job by "TAG ARCH", TAG its first.
func (r run) statuses() map[string]string {
	got := map[string]string{}
	for _, j := range r.meta.Jobs {
		got[j.Tags[0]+" "+j.Arch] = j.Status
	}
	return got
}

// planJSON is `brewkit plan --format json`, as a consumer reads it.
type planJSON struct {
	Jobs []struct {
		ID      string   `json:"id"`
		Repos   []string `json:"repos"`
		Tags    []string `json:"tags"`
		Arch    string   `json:"arch"`
		Builder string   `json:"builder"`
		Parents []struct {
			From string `json:"from"`
			Job  string `json:"job"`
		} `json:"parents"`
		Error   string `json:"error"`
		BuildID string `json:"buildId"`
		State   string `json:"state"`
		Image   string `json:"image"`
	} `json:"jobs"`
	Unplanned []struct {
		Arch string `json:"arch"`
	} `json:"unplanned"`
}

// plan runs `brewkit plan --format json` on the farm's workers.
func plan(t *testing.T, lib, workersFile, cache string) (planJSON, error) {
	t.Helper()
	out, stderr, err := brewkit(t, buildEnv(t), "--library", lib, "plan", "--all", "--cache", cache,
		"--workers", workersFile, "--format", "json")
	var p planJSON
	if jerr := json.Unmarshal([]byte(out), &p); jerr != nil {
		t.Fatalf("brewkit plan --format json (%v) printed invalid JSON: %v\n%s\nstderr:\n%s", err, jerr, out, stderr)
	}
	return p, err
}

// pull returns the image ref names in the farm's registry.
func pull(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return img
}

// readFiles returns those of names (paths without the leading "/") that
// the image's filesystem holds.
func readFiles(img v1.Image, names ...string) (map[string]string, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image's files: %w", err)
		}
		if n := strings.TrimPrefix(h.Name, "/"); h.Typeflag == tar.TypeReg && slices.Contains(names, n) {
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			files[n] = string(data)
		}
	}
}

// smallLibrary is base and good, FROM base, for arches, plus extra files.
func (f *fixture) smallLibrary(t *testing.T, arches []string, extra map[string]string) string {
	files := map[string]string{"base": f.baseFile(arches...), "good": f.appFile("1", "good", arches...)}
	for k, v := range extra {
		files[k] = v
	}
	return writeLibrary(t, files)
}

// hasRow reports whether a table row starts with job and holds problem.
func hasRow(table, job, problem string) bool {
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, job+" ") && strings.Contains(l, problem) {
			return true
		}
	}
	return false
}

// workersFile writes a workers file of ws, each "NAME ADDRESS ARCH", and
// the farm's registry.
func workersFile(t *testing.T, farm farmtest.Farm, ws ...[3]string) string {
	t.Helper()
	yml := "workers:\n"
	for _, w := range ws {
		yml += fmt.Sprintf("  - {name: %s, address: %q, arches: [%s], concurrency: 2}\n", w[0], w[1], w[2])
	}
	yml += "registry: " + farm.Registry + "\n"
	file := filepath.Join(t.TempDir(), "workers.yaml")
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// deadSocket is the address of a unix socket nobody listens on.
func deadSocket(t *testing.T) string {
	return "unix://" + filepath.Join(t.TempDir(), "dead.sock")
}
