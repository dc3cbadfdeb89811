package record_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

// A runner's report becomes a record, written as JSON; read back, the
// record gives the report again, to publish from.
func Example() {
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	job := &scheduler.Job{ID: "0123…/amd64", Arch: "amd64", Platform: "linux/amd64", Builder: scheduler.BuilderBuildKit,
		Origins:    []scheduler.Origin{{File: "library/hello", Line: 3, Repo: "hello", Tag: "1", Tags: []string{"1"}}},
		Tags:       []string{"hello:1"},
		Source:     scheduler.Source{GitRepo: "https://ci:token@git.example/hello.git", GitCommit: "c0ffee", Directory: "1", File: "Dockerfile"},
		CommitTime: time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), Froms: []string{"debian:trixie"}, External: []string{"debian:trixie"}}
	report := &scheduler.Report{Start: start, End: start.Add(time.Minute), Outcomes: []*scheduler.Outcome{{
		Job: job, Status: scheduler.Built, Worker: "amd64", Attempts: 1, Start: start, End: start.Add(time.Minute),
		Result: scheduler.Result{Ref: "registry.example/staging-amd64@sha256:1234", Digest: "sha256:1234", BuildID: "b1",
			Parents: []scheduler.Parent{{From: "debian:trixie", Digest: "sha256:5678"}}, BuildKit: "v0.34.2"},
	}}}

	var file bytes.Buffer // or record.FromReport(report).WriteFile("build.json")
	if err := record.FromReport(report).Write(&file); err != nil {
		panic(err)
	}

	rec, err := record.Read(&file) // or record.ReadFile("build.json")
	if err != nil {
		panic(err)
	}
	j := rec.Jobs[0]
	fmt.Println(rec.SchemaVersion, j.Status, j.Source.GitRepo, j.CommitTime.Format(time.RFC3339), *j.SourceDateEpoch)
	fmt.Printf("%+v %s\n", j.Froms, j.BuildKit)
	again, err := rec.Report()
	if err != nil {
		panic(err)
	}
	o := again.Outcomes[0]
	fmt.Println(o.Job.Origins[0], o.Status, o.Result.Ref)
	// Output:
	// 1 built https://git.example/hello.git 2025-12-31T23:00:00Z 1767222000
	// [{From:debian:trixie Digest:sha256:5678 Job: External:true}] v0.34.2
	// library/hello:3 (hello:1) built registry.example/staging-amd64@sha256:1234
}
