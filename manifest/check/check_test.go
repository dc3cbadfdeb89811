package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/manifest"
)

// library is a set of library files by name, for fakeSources.Library.
type library map[string]string

func (l library) load(t testing.TB, ref string) (*manifest.Repo, error) {
	name, tag, _ := strings.Cut(ref, ":")
	text, ok := l[name]
	if !ok {
		return nil, fmt.Errorf("manifest %q: %w", name, manifest.ErrNotFound)
	}
	m, err := manifest.ParseString("library/"+name, text)
	if err != nil {
		t.Fatal(err)
	}
	r := &manifest.Repo{File: "library/" + name, RepoName: name, TagName: tag, Manifest: m}
	if tag != "" {
		if e := m.GetTag(tag); e != nil {
			r.TagEntry, r.TagEntries = e, []*manifest.Entry{e}
		} else if es := m.GetSharedTag(tag); len(es) > 0 {
			r.TagEntry, r.TagEntries = es[0], es
		} else {
			return nil, fmt.Errorf("%s: tag %q: %w", r.File, tag, manifest.ErrNotFound)
		}
	}
	return r, nil
}

// fakeSources answers from maps: FROMs by "firsttag/arch", pins by ref,
// remote arches and lookup errors by pinned ref (unreachable if in
// neither).
type fakeSources struct {
	t          testing.TB
	lib        library
	froms      map[string][]string
	errs       map[string]error
	pins       map[string]string
	remote     map[string][]string
	remoteErrs map[string]error
}

func (f *fakeSources) Froms(_ context.Context, _ *manifest.Repo, e *manifest.Entry, arch string) ([]string, error) {
	key := e.Tags[0] + "/" + arch
	if err := f.errs[key]; err != nil {
		return nil, err
	}
	froms, ok := f.froms[key]
	if !ok {
		froms = f.froms[e.Tags[0]]
	}
	return froms, nil
}

func (f *fakeSources) Library(_ context.Context, ref string) (*manifest.Repo, error) {
	return f.lib.load(f.t, ref)
}

func (f *fakeSources) ExternalPin(ref string) (string, bool, error) {
	d, ok := f.pins[ref]
	return d, ok, nil
}

func (f *fakeSources) RemoteArches(_ context.Context, ref string) ([]string, error) {
	if err := f.remoteErrs[ref]; err != nil {
		return nil, err
	}
	arches, ok := f.remote[ref]
	if !ok {
		return nil, fmt.Errorf("%w: dial tcp: no route to host", ErrUnreachable)
	}
	return arches, nil
}

const head = "Maintainers: A B (@ab)\nGitRepo: https://example.com/r.git\nGitCommit: 0123456789012345678901234567890123456789\n"

// base is the library the FROMs of the tests name.
var base = library{
	"debian": head + "\nTags: bookworm, latest\nArchitectures: amd64, arm64v8\n",
	"ubuntu": head + "\nTags: 24.04, noble, latest\nArchitectures: amd64, riscv64\n\nTags: 25.10, questing, rolling\nArchitectures: amd64, riscv64\nDirectory: 25.10\n",
	"win":    head + "\nTags: ltsc2022\nArchitectures: windows-amd64\nConstraints: windowsservercore-ltsc2022\n",
}

func repo(t *testing.T, text string) *manifest.Repo {
	t.Helper()
	r, err := library{"foo": text}.load(t, "foo")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// brief is a finding without its message, and the message's start.
type brief struct {
	Line      int
	Tag, Arch string
	Msg       string // a part of the message
}

func briefs(t *testing.T, fs []Finding, rule Rule, want []brief) {
	t.Helper()
	var got []brief
	for i, f := range fs {
		if f.Rule != rule || f.File != "library/foo" {
			t.Errorf("finding %d: rule %q file %q; want %q library/foo", i, f.Rule, f.File, rule)
		}
		b := brief{f.Line, f.Tag, f.Arch, ""}
		if i < len(want) && strings.Contains(f.Message, want[i].Msg) {
			b.Msg = want[i].Msg
		} else {
			b.Msg = f.Message
		}
		got = append(got, b)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestLatestTags(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []brief
	}{
		{"latest alone", head + "\nTags: 1.0, latest\n", nil},
		{"suffix", head + "\nTags: 1.0, 1.0-latest\nSharedTags: latest\n", []brief{{5, "foo:1.0-latest", "", `tag "1.0-latest" contains "latest"`}}},
		{"shared prefix", head + "\nTags: 1.0\nSharedTags: latest-windows, latest\n\nTags: 2.0\nSharedTags: latest-windows\n",
			[]brief{{6, "foo:latest-windows", "", `shared tag "latest-windows" contains "latest": "latest" may only be a tag of its own, never part of another (rename it, such as "windows"`}}},
		{"inside", head + "\nTags: mylatestthing\n", []brief{{5, "foo:mylatestthing", "", `such as "mything"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			briefs(t, LatestTags(repo(t, tc.text)), RuleLatestTag, tc.want)
		})
	}
}

func TestSharedTags(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []brief
	}{
		{"disjoint", head + "\nTags: 1\nSharedTags: s\nArchitectures: amd64\n\nTags: 2\nSharedTags: s\nArchitectures: arm64v8\n", nil},
		{"windows aside", head + "\nTags: 1\nSharedTags: s\nArchitectures: windows-amd64\n\nTags: 2\nSharedTags: s\nArchitectures: windows-amd64\n", nil},
		{"duplicate", head + "\nTags: 1\nSharedTags: s, t\nArchitectures: amd64, arm64v8\n\nTags: 2\nSharedTags: s\nArchitectures: amd64, windows-amd64\n\nTags: 3\nSharedTags: s\nArchitectures: amd64\n",
			[]brief{{10, "foo:s", "amd64", `shared tag "s" gets amd64 from 3 entries: "1" (line 5), "2" (line 9), "3" (line 13)`}}},
		{"inherited", head + "SharedTags: s\n\nTags: 1\n\nTags: 2\nArchitectures: amd64, s390x\n",
			[]brief{{4, "foo:s", "amd64", `keep "s" in the SharedTags of one of them`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			briefs(t, SharedTags(repo(t, tc.text)), RuleSharedTags, tc.want)
		})
	}
}

func TestFroms(t *testing.T) {
	src := func() *fakeSources {
		return &fakeSources{t: t, lib: base,
			pins:       map[string]string{"gcr.io/x/y:1": "sha256:aa", "quay.io/down:1": "sha256:bb", "quay.io/gone:1": "sha256:cc"},
			remote:     map[string][]string{"gcr.io/x/y:1@sha256:aa": {"amd64", "s390x"}},
			remoteErrs: map[string]error{"quay.io/gone:1@sha256:cc": errors.New("GET https://quay.io/v2/gone/manifests/sha256:cc: MANIFEST_UNKNOWN")},
			froms:      map[string][]string{}, errs: map[string]error{}}
	}
	for _, tc := range []struct {
		name, text string
		froms      map[string][]string
		errs       map[string]error
		want       []brief
		skips      int
	}{
		{"official, built", head + "\nTags: 1\nArchitectures: amd64, arm64v8\n", map[string][]string{"1": {"debian:bookworm"}}, nil, nil, 0},
		{"official, not for arch", head + "\nTags: 1\nArchitectures: amd64, s390x\n", map[string][]string{"1": {"debian:bookworm"}}, nil,
			[]brief{{6, "foo:1", "s390x", "FROM debian:bookworm is not built for s390x (library/debian builds it for amd64, arm64v8): drop s390x from Architectures"}}, 0},
		{"completely unsupported", head + "\nTags: 1\nArchitectures: s390x\n", map[string][]string{"1": {"debian:bookworm"}}, nil,
			[]brief{{6, "foo:1", "s390x", "completely unsupported"}}, 0},
		{"unknown official", head + "\nTags: 1\n", map[string][]string{"1": {"nope:1"}}, nil,
			[]brief{{5, "foo:1", "amd64", "FROM nope:1 is neither a tag of an official image nor an external image"}}, 0},
		{"scratch", head + "\nTags: 1\nArchitectures: amd64, windows-amd64\n", map[string][]string{"1": {"scratch"}}, nil,
			[]brief{{6, "foo:1", "windows-amd64", "FROM scratch cannot be used on Windows"}}, 0},
		{"external unpinned", head + "\nTags: 1\n", map[string][]string{"1": {"docker.io/me/img:1"}}, nil,
			[]brief{{5, "foo:1", "amd64", "external image with no pin: an image from outside the library must be pinned in official-images' .external-pins/docker.io/me/img___1"}}, 0},
		{"external pinned without arch", head + "\nTags: 1\nArchitectures: amd64, ppc64le\n", map[string][]string{"1": {"gcr.io/x/y:1"}}, nil,
			[]brief{{6, "foo:1", "ppc64le", "FROM gcr.io/x/y:1 is pinned (.external-pins) at sha256:aa, which has no ppc64le image (it has amd64, s390x)"}}, 0},
		{"external unreachable", head + "\nTags: 1\n", map[string][]string{"1": {"quay.io/down:1"}}, nil, nil, 1},
		{"external pinned at a digest its registry lacks", head + "\nTags: 1\n", map[string][]string{"1": {"quay.io/gone:1"}}, nil,
			[]brief{{5, "foo:1", "amd64", "FROM quay.io/gone:1 is pinned (.external-pins) at sha256:cc, which cannot be looked up (GET https://quay.io/v2/gone/manifests/sha256:cc: MANIFEST_UNKNOWN)"}}, 0},
		{"source unreachable", head + "\nTags: 1\n", nil, map[string]error{"1/amd64": fmt.Errorf("%w: fetching", ErrUnreachable)}, nil, 1},
		{"dockerfile broken", head + "\nTags: 1\n", nil, map[string]error{"1/amd64": errors.New("Dockerfile:3: unknown instruction")}, []brief{{3, "foo:1", "amd64", "cannot read the FROMs of the Dockerfile: Dockerfile:3"}}, 0},
		{"riscv64 questing", head + "\nTags: 1\nArchitectures: amd64, riscv64\n", map[string][]string{"1": {"ubuntu:rolling"}}, nil,
			[]brief{{6, "foo:1", "riscv64", "FROM ubuntu:rolling is Ubuntu 25.10 or later (ubuntu:25.10)"}}, 0},
		{"riscv64 noble", head + "\nTags: 1\nArchitectures: amd64, riscv64\n", map[string][]string{"1": {"ubuntu:latest"}}, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := src()
			for k, v := range tc.froms {
				s.froms[k] = v
			}
			for k, v := range tc.errs {
				s.errs[k] = v
			}
			got, skips := Froms(context.Background(), []*manifest.Repo{repo(t, tc.text)}, s)
			briefs(t, got, RuleFrom, tc.want)
			if len(skips) != tc.skips {
				t.Errorf("skips %v; want %d", skips, tc.skips)
			}
			for _, sk := range skips {
				if sk.Rule != RuleFrom || sk.Reason == "" || sk.Tag != "foo:1" {
					t.Errorf("skip %+v", sk)
				}
			}
		})
	}
}

func TestConstraints(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		froms      []string
		want       []brief
	}{
		{"linux, none", head + "\nTags: 1\n", []string{"debian:bookworm"}, nil},
		{"windows right", head + "\nTags: 1\nArchitectures: windows-amd64\nConstraints: windowsservercore-ltsc2022\n", []string{"mcr.microsoft.com/windows/servercore:ltsc2022"}, nil},
		{"windows missing", head + "\nTags: 1\nArchitectures: windows-amd64\n", []string{"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/nanoserver:ltsc2022"},
			[]brief{
				{5, "foo:1", "windows-amd64", `missing constraint "nanoserver-ltsc2022", which FROM mcr.microsoft.com/windows/nanoserver:ltsc2022 needs: add it to Constraints`},
				{5, "foo:1", "windows-amd64", `missing constraint "windowsservercore-ltsc2022"`},
			}},
		{"extra", head + "\nTags: 1\nConstraints: !aufs\n", []string{"debian:bookworm"},
			[]brief{{6, "foo:1", "amd64", `extra constraint "!aufs", which no FROM needs (FROM debian:bookworm): remove it from Constraints`}}},
		{"from an official windows image", head + "\nTags: 1\nArchitectures: windows-amd64\nConstraints: nanoserver-1809\n", []string{"win:ltsc2022"},
			[]brief{
				{7, "foo:1", "windows-amd64", `missing constraint "windowsservercore-ltsc2022", which FROM win:ltsc2022 needs`},
				{7, "foo:1", "windows-amd64", `extra constraint "nanoserver-1809"`},
			}},
		{"latest tag", head + "\nTags: 1\nArchitectures: windows-amd64\nConstraints: windowsservercore\n", []string{"microsoft/windowsservercore:latest"}, nil},
		{"unknown microsoft", head + "\nTags: 1\nArchitectures: windows-amd64\n", []string{"mcr.microsoft.com/windows:ltsc2022"},
			[]brief{{5, "foo:1", "windows-amd64", "FROM mcr.microsoft.com/windows:ltsc2022: unknown Windows image"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeSources{t: t, lib: base, froms: map[string][]string{"1": tc.froms}}
			got, skips := Constraints(context.Background(), []*manifest.Repo{repo(t, tc.text)}, s)
			briefs(t, got, RuleConstraints, tc.want)
			if len(skips) != 0 {
				t.Errorf("skips %v", skips)
			}
		})
	}
}

func TestReportFailed(t *testing.T) {
	rep := Report{
		Findings: []Finding{{Rule: RuleFrom}, {Rule: RuleLatestTag}, {Rule: RuleFrom}},
		Skipped:  []Skip{{Rule: RuleCommits}},
	}
	if diff := cmp.Diff([]Rule{RuleLatestTag, RuleFrom}, rep.Failed()); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]Rule{RuleCommits}, rep.SkippedRules()); diff != "" {
		t.Error(diff)
	}
	f := Finding{Rule: RuleFrom, File: "library/foo", Line: 7, Tag: "foo:1", Arch: "s390x", Message: "m"}
	if got, want := f.String(), "library/foo:7: foo:1 [s390x]: m (from)"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	s := Skip{Rule: RuleCommits, File: "library/foo", Tag: "foo:1", Reason: "r"}
	if got, want := s.String(), "library/foo: foo:1: commits skipped: r"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if _, err := ParseRule("nope"); err == nil {
		t.Error("ParseRule(nope): no error")
	}
}
