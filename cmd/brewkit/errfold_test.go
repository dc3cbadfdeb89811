package main

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

func TestFoldErrors(t *testing.T) {
	t.Parallel()
	foo := scheduler.Origin{File: "library/foo", Line: 3, Repo: "foo", Tag: "1"}
	bar := scheduler.Origin{File: "library/bar", Line: 7, Repo: "bar", Tag: "2"}
	const repo = "https://example.invalid/repo.git"
	fetchFailed := &gitsource.FetchError{Repo: repo, Err: errors.New("fatal: unable to access: Could not resolve host")}
	repeat := &gitsource.FetchError{Repo: repo, Err: fetchFailed.Err, Repeat: true}
	other := &gitsource.FetchError{Repo: "https://example.invalid/other.git", Err: fetchFailed.Err, Repeat: true}
	// planned is an error as the planner reports it.
	planned := func(o scheduler.Origin, arch string, err error) jobError {
		return jobError{entry: o.String(), arch: arch, err: fmt.Errorf("%s for %s: %w", o, arch, err)}
	}
	plain := func(o scheduler.Origin, arch, text string) jobError {
		return jobError{entry: o.String(), arch: arch, err: errors.New(text)}
	}
	for _, tc := range []struct {
		name string
		errs []jobError
		want []string
	}{
		{"none", nil, []string{}},
		{"one", []jobError{planned(foo, "amd64", errors.New("no Dockerfile"))},
			[]string{"library/foo:3 (foo:1) for amd64: no Dockerfile"}},
		{"the arches of an entry", []jobError{
			planned(foo, "amd64", fetchFailed), planned(foo, "arm64v8", fetchFailed), planned(foo, "s390x", fetchFailed),
		}, []string{"library/foo:3 (foo:1) for amd64, arm64v8, s390x: fetching " + repo + ": unable to access: Could not resolve host"}},
		{"texts that name their arch", []jobError{
			plain(bar, "amd64", "skipped because foo:1 (amd64) failed"), plain(bar, "arm64v8", "skipped because foo:1 (arm64v8) failed"),
		}, []string{"library/bar:7 (bar:2) for amd64, arm64v8: skipped because foo:1 (<arch>) failed"}},
		{"one arch naming itself", []jobError{plain(bar, "i386", "i386: no worker builds this architecture")},
			[]string{"library/bar:7 (bar:2) for i386: i386: no worker builds this architecture"}},
		{"other texts are other lines", []jobError{
			planned(foo, "amd64", errors.New("one")), planned(foo, "arm64v8", errors.New("two")), planned(foo, "s390x", errors.New("one")),
		}, []string{"library/foo:3 (foo:1) for amd64, s390x: one", "library/foo:3 (foo:1) for arm64v8: two"}},
		{"other entries are other lines", []jobError{
			planned(foo, "amd64", errors.New("one")), planned(bar, "amd64", errors.New("one")),
		}, []string{"library/foo:3 (foo:1) for amd64: one", "library/bar:7 (bar:2) for amd64: one"}},
		{"repeated fetches, by repository", []jobError{
			planned(foo, "amd64", fetchFailed), planned(foo, "arm64v8", repeat), planned(bar, "amd64", repeat),
			planned(bar, "s390x", other), planned(bar, "i386", repeat),
		}, []string{
			"library/foo:3 (foo:1) for amd64: fetching " + repo + ": unable to access: Could not resolve host",
			"3 jobs not fetched: fetching " + repo + " (not retried: it failed less than 0s ago): unable to access: Could not resolve host",
			"1 job not fetched: fetching https://example.invalid/other.git (not retried: it failed less than 0s ago): unable to access: Could not resolve host",
		}},
		{"no arch", []jobError{plain(foo, "", "FROM cycle: a -> b -> a")},
			[]string{"library/foo:3 (foo:1): FROM cycle: a -> b -> a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, foldErrors(tc.errs)); diff != "" {
				t.Errorf("foldErrors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	foo := scheduler.Origin{File: "library/foo", Line: 3, Repo: "foo", Tag: "1"}
	var out bytes.Buffer
	err := writeErrors(&out, []jobError{
		{entry: foo.String(), arch: "amd64", err: errors.New("git said:\nfatal: one\n\nfatal: two\n")},
		{entry: foo.String(), arch: "arm64v8", err: errors.New("git said:\nfatal: one\n\nfatal: two\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "library/foo:3 (foo:1) for amd64, arm64v8: git said:\n    fatal: one\n\n    fatal: two\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("writeErrors (-want +got):\n%s", diff)
	}
}

func TestFirstLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"one line", "one line"},
		{"  padded  \n", "padded"},
		{"first\nsecond", "first …"},
		{"first  \n\n  \n", "first"},
		{"\nfirst after a blank\nsecond", "first after a blank …"},
	} {
		if got := firstLine(errors.New(tc.in)); got != tc.want {
			t.Errorf("firstLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
