package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler"
)

// The summary has one line per job, whatever its error: the error's
// first line; the errors go in full, folded, to the other writer
// (stderr).
func TestWriteSummaryErrors(t *testing.T) {
	t.Parallel()
	foo := scheduler.Origin{File: "library/foo", Line: 3, Repo: "foo", Tag: "1"}
	bar := scheduler.Origin{File: "library/bar", Line: 5, Repo: "bar", Tag: "2"}
	job := func(o scheduler.Origin, arch string) *scheduler.Job {
		return &scheduler.Job{Arch: arch, Origins: []scheduler.Origin{o}, Tags: []string{o.Repo + ":" + o.Tag}}
	}
	buildErr := errors.New("process \"/bin/sh -c make\" did not complete successfully: exit code: 2\nmake: *** [all] Error 2")
	start := time.Unix(1_700_000_000, 0)
	r := &scheduler.Report{Start: start, End: start.Add(90 * time.Second), Outcomes: []*scheduler.Outcome{
		{Job: job(foo, "amd64"), Status: scheduler.Failed, Err: buildErr},
		{Job: job(foo, "arm64v8"), Status: scheduler.Failed, Err: buildErr},
		{Job: job(bar, "amd64"), Status: scheduler.Skipped, Err: errors.New("skipped because foo:1 (amd64) failed")},
		{Job: job(bar, "arm64v8"), Status: scheduler.Skipped, Err: errors.New("skipped because foo:1 (arm64v8) failed")},
	}}
	var out, errs bytes.Buffer
	if err := writeSummary(&out, &errs, r); err != nil {
		t.Fatal(err)
	}
	want := `JOB    ARCH     STATUS   TIME  WORKER  IMAGE / REASON
foo:1  amd64    failed   -     -       process "/bin/sh -c make" did not complete successfully: exit code: 2 …
foo:1  arm64v8  failed   -     -       process "/bin/sh -c make" did not complete successfully: exit code: 2 …
bar:2  amd64    skipped  -     -       skipped because foo:1 (amd64) failed
bar:2  arm64v8  skipped  -     -       skipped because foo:1 (arm64v8) failed
0 built, 0 up to date, 2 failed, 2 skipped, 0 cancelled in 1m30s
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	wantErrs := `library/foo:3 (foo:1) for amd64, arm64v8: process "/bin/sh -c make" did not complete successfully: exit code: 2
    make: *** [all] Error 2
library/bar:5 (bar:2) for amd64, arm64v8: skipped because foo:1 (<arch>) failed
`
	if diff := cmp.Diff(wantErrs, errs.String()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// With --load, the line of each image loaded, built or up to date,
// says so.
func TestWriteSummaryLoaded(t *testing.T) {
	t.Parallel()
	job := &scheduler.Job{Arch: "amd64", Tags: []string{"foo:1"}}
	start := time.Unix(1_700_000_000, 0)
	r := &scheduler.Report{Start: start, End: start.Add(time.Second), Outcomes: []*scheduler.Outcome{
		{Job: job, Status: scheduler.UpToDate, Result: scheduler.Result{Ref: "reg/staging-amd64@sha256:aa", UpToDate: true, Loaded: true}},
		{Job: job, Status: scheduler.Built, Result: scheduler.Result{Ref: "reg/staging-amd64@sha256:bb", Loaded: true}},
		{Job: job, Status: scheduler.UpToDate, Result: scheduler.Result{Ref: "reg/staging-amd64@sha256:cc", UpToDate: true}},
	}}
	var out, errs bytes.Buffer
	if err := writeSummary(&out, &errs, r); err != nil {
		t.Fatal(err)
	}
	want := `JOB    ARCH   STATUS      TIME  WORKER  IMAGE / REASON
foo:1  amd64  up to date  -     -       reg/staging-amd64@sha256:aa (loaded)
foo:1  amd64  built       -     -       reg/staging-amd64@sha256:bb (loaded)
foo:1  amd64  up to date  -     -       reg/staging-amd64@sha256:cc
1 built, 2 up to date, 0 failed, 0 skipped, 0 cancelled in 1s
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestLayoutSummaryHowToRun(t *testing.T) {
	var b strings.Builder
	writeLayoutSummary(&b, "/tmp/out", builder.TagSummary{Written: []string{"foo:1.0", "foo:latest"}})
	want := "2 tag(s) in the OCI image layout /tmp/out\n" +
		"to run one: skopeo copy oci:/tmp/out:docker.io/library/foo:1.0 docker-daemon:foo:1.0 && docker run --rm foo:1.0 (skopeo picks the host's platform; --override-arch ARCH for another), or build again with --load\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
