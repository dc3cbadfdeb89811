package reproduce

import (
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/reproduce/imagediff"
)

func TestReportTextAndExit(t *testing.T) {
	yes, no := true, false
	in := &Inputs{BuildID: "b1", Origins: []Input{{Name: "GitCommit", Value: "abc", From: "annotation org.opencontainers.image.source"}}}
	rep := &Report{Reference: "r.example/lib/app:1", Platforms: []PlatformReport{
		{Platform: "linux/amd64", Verdict: Identical, Published: "sha256:1", Rebuilt: "sha256:1", Inputs: in, BuildID: "b1", BuildIDMatches: &yes},
		{Platform: "linux/arm64/v8", Verdict: Differs, Published: "sha256:2", Rebuilt: "sha256:3", Inputs: in, BuildID: "b9", BuildIDMatches: &no,
			Config: []imagediff.FieldDiff{{Field: "config.Env[0]", Published: "A=1", Rebuilt: "A=2"}},
			Layers: []imagediff.LayerDiff{{Index: 2, Published: "sha256:p", Rebuilt: "sha256:q", CreatedBy: "RUN date > /stamp"}},
			Files:  []imagediff.FileDiff{{Layer: 2, Path: "stamp", Change: imagediff.Content, PublishedSHA256: "aaaa", RebuiltSHA256: "bbbb", PublishedSize: 30, RebuiltSize: 30}}},
	}}
	var b strings.Builder
	rep.WriteText(&b)
	for _, want := range []string{
		"linux/amd64: identical", "linux/arm64/v8: differs", "GitCommit", "from annotation org.opencontainers.image.source",
		"config.Env[0]", "first layer that differs: #2", "made by", "RUN date > /stamp", "stamp", "content",
		"the rebuild's build id b9 is not the recorded b1",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the text report has no %q:\n%s", want, b.String())
		}
	}
	if got := rep.Summary(); got != "r.example/lib/app:1: 1 identical, 1 differs" {
		t.Errorf("Summary = %q", got)
	}
	for _, tc := range []struct {
		verdicts []string
		inputErr bool
		want     int
	}{
		{[]string{Identical, Equivalent}, false, 0},
		{[]string{Identical, Differs}, false, 1},
		{[]string{RebuildFailed}, false, 1},
		{[]string{Differs, RebuildFailed}, true, 2},
	} {
		r := &Report{}
		for _, v := range tc.verdicts {
			r.Platforms = append(r.Platforms, PlatformReport{Verdict: v})
		}
		r.Platforms[len(r.Platforms)-1].inputErr = tc.inputErr
		if got := r.Exit(); got != tc.want {
			t.Errorf("Exit of %v (input error %v) = %d, want %d", tc.verdicts, tc.inputErr, got, tc.want)
		}
	}
}
