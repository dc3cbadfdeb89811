package reproduce

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// rebuilt is what a rebuild made.
type rebuilt struct {
	Digest  string
	BuildID string
	Image   v1.Image
}

// RebuildError is a platform that could not be built again: its commit
// is gone, its build failed, no worker builds its arch.
type RebuildError struct {
	Platform string
	Reason   string
}

func (e *RebuildError) Error() string { return e.Platform + ": " + e.Reason }

// rebuild builds in once more on e, whose target is a scratch OCI layout,
// with its FROMs pinned and BuildKit's cache not consulted.
func rebuild(ctx context.Context, e *engine.Engine, repoName string, in *Inputs) (*rebuilt, error) {
	fail := func(format string, a ...any) error { return &RebuildError{in.Platform, fmt.Sprintf(format, a...)} }
	repo, err := entryRepo(repoName, in)
	if err != nil {
		return nil, err
	}
	plan, err := e.Plan(ctx, []*manifest.Repo{repo}, engine.PlanOptions{Filter: &manifest.Filter{Arch: in.Arch}})
	if err != nil {
		return nil, fail("planning: %v", err)
	}
	for _, u := range plan.Unplanned {
		return nil, fail("not built: %s (--allow-emulation builds it under QEMU)", u.Reason)
	}
	if len(plan.Jobs) != 1 {
		return nil, fail("planning made %d jobs, want 1", len(plan.Jobs))
	}
	job := plan.Jobs[0]
	if job.Err != nil {
		return nil, fail("%v", job.Err)
	}
	pins, err := pinsFor(job, in)
	if err != nil {
		return nil, err
	}
	b, err := e.Build(ctx, plan, engine.BuildOptions{Pins: pins, NoCache: true})
	if err != nil {
		return nil, fail("%v", err)
	}
	o := b.Report.Outcomes[0]
	if o.Err != nil {
		return nil, fail("%v", o.Err)
	}
	img, err := layoutImage(e.Target().Layout.Dir(), o.Result.Digest)
	if err != nil {
		return nil, fail("reading the rebuilt image: %v", err)
	}
	return &rebuilt{Digest: o.Result.Digest, BuildID: o.Result.BuildID, Image: img}, nil
}

// entryRepo is a library of one entry: in, for its arch alone.
func entryRepo(repoName string, in *Inputs) (*manifest.Repo, error) {
	var b strings.Builder
	b.WriteString("Maintainers: brewkit reproduce <reproduce@brewkit.invalid> (@brewkit)\n\n")
	tag := in.Tag // the image's annotations name it
	if tag == "" {
		tag = "reproduce"
	}
	for _, kv := range [][2]string{{"Tags", tag}, {"Architectures", in.Arch}, {"GitRepo", in.fetchRepo}, {"GitFetch", in.GitFetch},
		{"GitCommit", in.GitCommit}, {"Directory", in.Directory}, {"File", in.File}, {"Builder", in.Builder}} {
		if kv[1] == "" {
			continue
		}
		if strings.ContainsAny(kv[1], "\r\n") {
			return nil, &InputError{in.Platform, fmt.Sprintf("%s %q spans lines", kv[0], kv[1])}
		}
		fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
	}
	m, err := manifest.ParseString("reproduce "+repoName, b.String())
	if err != nil {
		return nil, &InputError{in.Platform, fmt.Sprintf("the inputs make no library entry: %v", err)}
	}
	return &manifest.Repo{File: "reproduce " + repoName, RepoName: repoName, Manifest: m}, nil
}

// pinsFor pins every FROM of job but scratch to what in recorded; a FROM
// of the Dockerfile that in has no digest for is an *InputError.
func pinsFor(job *scheduler.Job, in *Inputs) (map[string]string, error) {
	recorded := map[string]string{}
	for _, p := range in.Froms {
		recorded[p.From] = p.Image
	}
	pins := map[string]string{}
	for _, from := range job.Froms {
		if from == "scratch" {
			continue
		}
		image, ok := recorded[from]
		if !ok {
			return nil, &InputError{in.Platform, fmt.Sprintf("the Dockerfile reads FROM %s, whose digest was not recorded (an image records its last stage's base alone): give --record", from)}
		}
		pins[from] = image
	}
	return pins, nil
}
