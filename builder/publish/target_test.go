package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// tgt is what TestTargets compares of a Target.
type tgt struct {
	Ref              string
	Shared           bool
	Arch             string
	Entries          []string // first tags
	Members, Missing []string // arches
	Blocked          bool
	Err              string
}

func project(ts []Target) []tgt {
	var out []tgt
	for _, t := range ts {
		p := tgt{Ref: t.Ref, Shared: t.Shared, Arch: t.Arch, Blocked: t.Blocked}
		if t.Err != nil {
			p.Err = t.Err.Error()
		}
		for _, e := range t.Entries {
			p.Entries = append(p.Entries, e.Tag)
		}
		for _, m := range t.Members {
			p.Members = append(p.Members, m.Arch)
		}
		for _, m := range t.Missing {
			p.Missing = append(p.Missing, m.Arch)
		}
		out = append(out, p)
	}
	return out
}

func TestTargets(t *testing.T) {
	a := origin("foo", 3, []string{"1", "1.0"}, "latest")   // amd64, arm64v8
	b := origin("foo", 9, []string{"2-alt"}, "latest", "2") // ppc64le, s390x
	built := func(arch string, os ...scheduler.Origin) job {
		return job{arch: arch, status: scheduler.Built, ref: "r/staging-" + arch + "@sha256:" + strings.Repeat("a", 64), origins: os}
	}
	failed := func(arch string, os ...scheduler.Origin) job {
		return job{arch: arch, status: scheduler.Failed, err: errors.New("RUN failed"), origins: os}
	}
	aJobs := []job{built("amd64", a), built("arm64v8", a)}
	const to = "127.0.0.1:5000/lib"
	c := origin("foo", 12, []string{"3"}, "latest") // amd64, from another source than a's
	conflict := scheduler.TagConflict{Repo: "foo", Tag: "latest", Arch: "amd64", Entries: []scheduler.Origin{a, c}}.Error()

	tests := []struct {
		name string
		jobs []job
		opts Options
		want []tgt
	}{{
		name: "tags and a shared tag across entries of different arches",
		jobs: append(aJobs, built("s390x", b), built("ppc64le", b)),
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:2-alt", Entries: []string{"2-alt"}, Members: []string{"ppc64le", "s390x"}},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1", "2-alt"}, Members: []string{"amd64", "arm64v8", "ppc64le", "s390x"}},
			{Ref: to + "/foo:2", Shared: true, Entries: []string{"2-alt"}, Members: []string{"ppc64le", "s390x"}},
		},
	}, {
		name: "a failed arch blocks its tags and shared tags only",
		jobs: append(aJobs, failed("s390x", b), built("ppc64le", b)),
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:2-alt", Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1", "2-alt"}, Members: []string{"amd64", "arm64v8", "ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: to + "/foo:2", Shared: true, Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
		},
	}, {
		name: "partial publishes without the failed arch",
		jobs: append(aJobs, failed("s390x", b), built("ppc64le", b)),
		opts: Options{Partial: true},
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: to + "/foo:2-alt", Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1", "2-alt"}, Members: []string{"amd64", "arm64v8", "ppc64le"}, Missing: []string{"s390x"}},
			{Ref: to + "/foo:2", Shared: true, Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}},
		},
	}, {
		name: "partial with nothing built is still blocked",
		jobs: []job{failed("amd64", a), {arch: "arm64v8", status: scheduler.Cancelled, origins: []scheduler.Origin{a}}},
		opts: Options{Partial: true},
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Missing: []string{"amd64", "arm64v8"}, Blocked: true},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Missing: []string{"amd64", "arm64v8"}, Blocked: true},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1"}, Missing: []string{"amd64", "arm64v8"}, Blocked: true},
		},
	}, {
		name: "an arch no worker builds is absent, not missing",
		jobs: []job{built("amd64", a), {arch: "arm64v8", status: scheduler.Skipped, err: fmt.Errorf("arm64v8: %w", scheduler.ErrNoWorker), origins: []scheduler.Origin{a}}},
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1"}, Members: []string{"amd64"}},
		},
	}, {
		name: "one job serving two repositories",
		jobs: []job{built("amd64", origin("alpha", 1, []string{"1"}), origin("beta", 1, []string{"2"}, "latest"))},
		want: []tgt{
			{Ref: to + "/alpha:1", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: to + "/beta:2", Entries: []string{"2"}, Members: []string{"amd64"}},
			{Ref: to + "/beta:latest", Shared: true, Entries: []string{"2"}, Members: []string{"amd64"}},
		},
	}, {
		name: "Windows versions share a tag",
		jobs: []job{
			built("windows-amd64", origin("win", 1, []string{"ltsc2025"}, "latest")),
			built("windows-amd64", origin("win", 5, []string{"ltsc2022"}, "latest")),
		},
		want: []tgt{
			{Ref: to + "/win:ltsc2025", Entries: []string{"ltsc2025"}, Members: []string{"windows-amd64"}},
			{Ref: to + "/win:ltsc2022", Entries: []string{"ltsc2022"}, Members: []string{"windows-amd64"}},
			{Ref: to + "/win:latest", Shared: true, Entries: []string{"ltsc2025", "ltsc2022"}, Members: []string{"windows-amd64", "windows-amd64"}},
		},
	}, {
		name: "arch namespaces",
		jobs: append(aJobs, failed("s390x", b), built("ppc64le", b)),
		opts: Options{ArchNamespaces: map[string]string{"amd64": "amd64", "s390x": "s390x"}},
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: "127.0.0.1:5000/amd64/foo:1", Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: "127.0.0.1:5000/amd64/foo:1.0", Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: to + "/foo:2-alt", Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: "127.0.0.1:5000/s390x/foo:2-alt", Arch: "s390x", Entries: []string{"2-alt"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1", "2-alt"}, Members: []string{"amd64", "arm64v8", "ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: "127.0.0.1:5000/amd64/foo:latest", Shared: true, Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: "127.0.0.1:5000/s390x/foo:latest", Shared: true, Arch: "s390x", Entries: []string{"2-alt"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: to + "/foo:2", Shared: true, Entries: []string{"2-alt"}, Members: []string{"ppc64le"}, Missing: []string{"s390x"}, Blocked: true},
			{Ref: "127.0.0.1:5000/s390x/foo:2", Shared: true, Arch: "s390x", Entries: []string{"2-alt"}, Missing: []string{"s390x"}, Blocked: true},
		},
	}, {
		// Only foo:latest, and its copy for amd64, fail.
		name: "two builds giving a shared tag the same arch",
		jobs: append(aJobs, built("amd64", c)),
		opts: Options{ArchNamespaces: map[string]string{"amd64": "amd64", "arm64v8": "arm64v8"}},
		want: []tgt{
			{Ref: to + "/foo:1", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: "127.0.0.1:5000/amd64/foo:1", Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: "127.0.0.1:5000/arm64v8/foo:1", Arch: "arm64v8", Entries: []string{"1"}, Members: []string{"arm64v8"}},
			{Ref: to + "/foo:1.0", Entries: []string{"1"}, Members: []string{"amd64", "arm64v8"}},
			{Ref: "127.0.0.1:5000/amd64/foo:1.0", Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}},
			{Ref: "127.0.0.1:5000/arm64v8/foo:1.0", Arch: "arm64v8", Entries: []string{"1"}, Members: []string{"arm64v8"}},
			{Ref: to + "/foo:3", Entries: []string{"3"}, Members: []string{"amd64"}},
			{Ref: "127.0.0.1:5000/amd64/foo:3", Arch: "amd64", Entries: []string{"3"}, Members: []string{"amd64"}},
			{Ref: to + "/foo:latest", Shared: true, Entries: []string{"1", "3"}, Members: []string{"amd64", "arm64v8"}, Err: conflict},
			{Ref: "127.0.0.1:5000/amd64/foo:latest", Shared: true, Arch: "amd64", Entries: []string{"1"}, Members: []string{"amd64"}, Err: conflict},
			{Ref: "127.0.0.1:5000/arm64v8/foo:latest", Shared: true, Arch: "arm64v8", Entries: []string{"1"}, Members: []string{"arm64v8"}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.To = to
			got, err := Targets(report(tt.jobs...), opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, project(got)); diff != "" {
				t.Errorf("Targets (-want +got):\n%s", diff)
			}
			// Tags are the same, but for no registry and no arch namespace.
			var want []tgt
			for _, w := range tt.want {
				if w.Arch == "" {
					w.Ref = strings.TrimPrefix(w.Ref, to+"/")
					want = append(want, w)
				}
			}
			if diff := cmp.Diff(want, project(Tags(report(tt.jobs...), opts.Partial))); diff != "" {
				t.Errorf("Tags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetsTo(t *testing.T) {
	r := report(job{arch: "amd64", status: scheduler.Built, ref: "x", origins: []scheduler.Origin{origin("foo", 1, []string{"1"})}})
	for to, want := range map[string]string{
		"127.0.0.1:5000/lib":      "127.0.0.1:5000/lib/foo:1",
		"127.0.0.1:5000":          "127.0.0.1:5000/foo:1",
		"localhost/a/b/":          "localhost/a/b/foo:1",
		"library":                 "docker.io/library/foo:1",
		"registry.example/ns":     "registry.example/ns/foo:1",
		"registry.example:443/ns": "registry.example:443/ns/foo:1",
	} {
		ts, err := Targets(r, Options{To: to})
		if err != nil || len(ts) != 1 || ts[0].Ref != want {
			t.Errorf("To %q: %v, %v; want %s", to, project(ts), err, want)
		}
	}
	if _, err := Targets(r, Options{}); err == nil {
		t.Error("no To: no error")
	}
}

// TestTargetsRealLibrary expands the official-images snapshot as if every
// job had been built: no shared tag gets an arch twice (Windows versions
// aside), and every tag and shared tag is a target, with every arch of
// every entry carrying it.
func TestTargetsRealLibrary(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "official-images", "library")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no official-images snapshot: %v", err)
	}
	var repos []*manifest.Repo
	wantArches := map[string]int{} // repo:tag -> arches, counted over its entries
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := manifest.ParseString(f.Name(), string(data))
		if err != nil {
			t.Fatal(err)
		}
		r := &manifest.Repo{File: f.Name(), RepoName: f.Name(), Manifest: m}
		repos = append(repos, r)
		for _, e := range r.Entries() {
			for _, tag := range append(append([]string(nil), e.Tags...), e.SharedTags...) {
				wantArches[r.RepoName+":"+tag] += len(e.Architectures)
			}
		}
	}
	p := scheduler.Expand(repos, scheduler.Options{})
	rep := &scheduler.Report{}
	for i, j := range p.Jobs {
		rep.Outcomes = append(rep.Outcomes, &scheduler.Outcome{Job: j, Status: scheduler.Built,
			Result: scheduler.Result{Ref: fmt.Sprintf("r/staging-%s@sha256:%064x", j.Arch, i)}})
	}
	targets, err := Targets(rep, Options{To: "registry.example/library"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tg := range targets {
		got[tg.Repo+":"+tg.Tag] = len(tg.Members)
		if tg.Blocked || len(tg.Missing) > 0 {
			t.Errorf("%s: blocked or missing %v", tg.Ref, tg.Missing)
		}
	}
	if diff := cmp.Diff(wantArches, got); diff != "" {
		t.Errorf("targets and their number of images (-want +got):\n%s", diff)
	}
	t.Logf("%d jobs, %d targets", len(p.Jobs), len(targets))
}
