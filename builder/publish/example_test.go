package publish_test

import (
	"fmt"

	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
)

// Targets turns a build's report into the indexes to write: each tag of
// each entry, and each shared tag, combining the entries that carry it. An
// arch whose job failed blocks the tags it belongs to.
func ExampleTargets() {
	a := scheduler.Origin{File: "library/foo", Line: 3, Repo: "foo", Tag: "1", Tags: []string{"1"}, SharedTags: []string{"latest"}}
	b := scheduler.Origin{File: "library/foo", Line: 8, Repo: "foo", Tag: "2", Tags: []string{"2"}, SharedTags: []string{"latest"}}
	outcome := func(arch, platform string, status scheduler.Status, o scheduler.Origin) *scheduler.Outcome {
		job := &scheduler.Job{Arch: arch, Platform: platform, Origins: []scheduler.Origin{o}}
		res := scheduler.Result{}
		if status == scheduler.Built {
			res.Ref = "registry.example/staging-" + arch + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		}
		return &scheduler.Outcome{Job: job, Status: status, Result: res}
	}
	report := &scheduler.Report{Outcomes: []*scheduler.Outcome{
		outcome("arm64v8", "linux/arm64/v8", scheduler.Built, a),
		outcome("amd64", "linux/amd64", scheduler.Built, a),
		outcome("s390x", "linux/s390x", scheduler.Failed, b),
	}}
	targets, err := publish.Targets(report, publish.Options{To: "registry.example/library"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range targets {
		var arches []string
		for _, m := range t.Members {
			arches = append(arches, m.Arch)
		}
		fmt.Println(t.Ref, arches, "blocked:", t.Blocked)
	}
	// Output:
	// registry.example/library/foo:1 [amd64 arm64v8] blocked: false
	// registry.example/library/foo:2 [] blocked: true
	// registry.example/library/foo:latest [amd64 arm64v8] blocked: true
}
