package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestSelector checks which entry arches a plan keeps, and why it leaves
// the others out.
func TestSelector(t *testing.T) {
	x86 := workers.Worker{Name: "x86", Address: "unix:///x", Arches: []string{"amd64"}}
	arm := workers.Worker{Name: "arm", Address: "unix:///a", Arches: []string{"arm64v8"}}
	constrained := &manifest.Entry{Architectures: []string{"amd64"}, Constraints: []string{"windowsservercore-ltsc2022"}}
	plain := &manifest.Entry{Architectures: []string{"amd64", "arm64v8", "s390x"}}
	tests := []struct {
		name   string
		target Target
		filter *manifest.Filter
		arches []string // --platform
		entry  *manifest.Entry
		want   map[string]string // arch -> "" when kept, else the reason
	}{
		{"no workers: every arch", Target{}, nil, nil, plain, map[string]string{"amd64": "", "s390x": ""}},
		{"workers: their natives", Target{Workers: []workers.Worker{x86, arm}}, nil, nil, plain, map[string]string{
			"amd64": "", "arm64v8": "", "s390x": "no worker builds s390x natively (use --allow-emulation, or add a worker)"}},
		{"workers that emulate: every arch", Target{Workers: []workers.Worker{x86}, Emulate: true}, nil, nil, plain, map[string]string{"s390x": ""}},
		{"--arch", Target{Workers: []workers.Worker{x86}}, &manifest.Filter{Arch: "s390x"}, nil, plain, map[string]string{
			"amd64": "not --arch s390x", "s390x": ""}},
		{"--arch and a constraint the entry lacks", Target{}, &manifest.Filter{Arch: "amd64"}, nil, constrained, map[string]string{
			"amd64": `(due to unsatisfactory constraints ["windowsservercore-ltsc2022"])`}},
		{"--platform", Target{}, nil, []string{"arm64v8", "s390x"}, plain, map[string]string{
			"amd64": "not --platform arm64v8,s390x", "arm64v8": "", "s390x": ""}},
		{"--platform and workers", Target{Workers: []workers.Worker{x86, arm}}, nil, []string{"arm64v8", "s390x"}, plain, map[string]string{
			"amd64": "not --platform arm64v8,s390x", "arm64v8": "", "s390x": "no worker builds s390x natively (use --allow-emulation, or add a worker)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Engine{target: &tt.target}
			sel := only(tt.arches, e.selector(tt.filter))
			got := map[string]string{}
			for arch := range tt.want {
				if sel == nil {
					got[arch] = ""
					continue
				}
				ok, why := sel(tt.entry, arch)
				if ok != (why == "") {
					t.Errorf("%s: kept %v with reason %q", arch, ok, why)
				}
				got[arch] = why
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("selection (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRestrict checks that a local buildkitd plans only what it offers,
// after the selector's own choice.
func TestRestrict(t *testing.T) {
	offered := []ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	onlyAMD := func(_ *manifest.Entry, arch string) (bool, string) { return arch == "amd64", "not amd64" }
	tests := []struct {
		sel  func(*manifest.Entry, string) (bool, string)
		arch string
		want string
	}{
		{nil, "arm64v8", ""},
		{nil, "s390x", "the local buildkitd cannot build s390x, even emulated (it offers linux/amd64, linux/arm64/v8)"},
		{nil, "windows-amd64", "the local buildkitd cannot build windows-amd64, even emulated (it offers linux/amd64, linux/arm64/v8)"},
		{onlyAMD, "arm64v8", "not amd64"},
		{onlyAMD, "amd64", ""},
	}
	for _, tt := range tests {
		_, why := restrict(tt.sel, offered)(&manifest.Entry{}, tt.arch)
		if why != tt.want {
			t.Errorf("%s: reason %q, want %q", tt.arch, why, tt.want)
		}
	}
}

// TestRoutes checks which workers a job may run on.
func TestRoutes(t *testing.T) {
	ws := []workers.Worker{
		{Name: "x86-1", Arches: []string{"amd64"}}, {Name: "x86-2", Arches: []string{"amd64", "i386"}}, {Name: "arm", Arches: []string{"arm64v8"}},
	}
	jobs := []*scheduler.Job{{Arch: "amd64"}, {Arch: "i386"}, {Arch: "s390x"}}
	p := &scheduler.Plan{Jobs: jobs}
	for _, emulate := range []bool{false, true} {
		e := &Engine{target: &Target{Workers: ws, Emulate: emulate}}
		got := e.Routes(p)
		want := map[*scheduler.Job][]string{jobs[0]: {"x86-1", "x86-2"}, jobs[1]: {"x86-2"}}
		if emulate {
			want[jobs[2]] = []string{"x86-1 (emulated)", "x86-2 (emulated)", "arm (emulated)"}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("emulate %v: routes (-want +got):\n%s", emulate, diff)
		}
	}
}
