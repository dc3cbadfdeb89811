package dockerfile

import (
	"bytes"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are the build settings that decide what a Dockerfile reads. The
// zero value means no build args, no platforms and the last stage.
type Options struct {
	// BuildArgs are the --build-arg values. A FROM sees only those that an
	// ARG before the first FROM declares, and the automatic platform ARGs
	// and TARGETSTAGE, which they override. Without one, an ARG takes its
	// declared default.
	BuildArgs map[string]string
	// TargetPlatform sets $TARGETPLATFORM, $TARGETOS, $TARGETOSVERSION,
	// $TARGETARCH and $TARGETVARIANT. When it is zero BuildKit's rule
	// applies: the target platform is the build platform.
	TargetPlatform ocispec.Platform
	// BuildPlatform sets $BUILDPLATFORM, $BUILDOS, $BUILDOSVERSION,
	// $BUILDARCH and $BUILDVARIANT. When both platforms are zero, these
	// ARGs have no value, and a FROM that uses one is an error rather than
	// a guess at the host.
	BuildPlatform ocispec.Platform
	// Target is the name of the stage to build, matched without regard to
	// case; "" means the last stage.
	Target string
}

// Info is what a Dockerfile is built from.
type Info struct {
	// Syntax is the image named by a "# syntax=" parser directive, "" if
	// there is none. BuildKit runs that image as the frontend, which needs
	// a registry; offline callers may want to warn.
	Syntax string
	// Froms is every external image that building the target stage reads,
	// in the order of first use, each (Name, Platform) pair once: FROM
	// bases, COPY --from=<image>, RUN --mount=from=<image> of any mount
	// type, and the COPY and RUN --mount instructions that an ONBUILD of a
	// stage fires in a stage built FROM it. "scratch", which bashbrew
	// lists too, appears as Ref{Name: "scratch"}; it is never pulled.
	// Stages that the target does not depend on are left out, as BuildKit
	// does not fetch their images.
	Froms []Ref
	// LastStageFrom is the base of the target stage, resolved through
	// stage names: Stages[Target].Base.
	LastStageFrom string
	// Stages are the stages of the Dockerfile in order, including those the
	// target does not depend on.
	Stages []Stage
	// Target is the index in Stages of the stage that is built.
	Target int
}

// Stage is one FROM of a Dockerfile.
type Stage struct {
	// Name is the AS name, lower-cased as BuildKit does; "" if none.
	Name string
	// From is the FROM argument after ARG expansion: an image, "scratch",
	// or the name of an earlier stage, as written.
	From string
	// Base is the image the stage starts from, resolved through stage names
	// and normalised by [Normalize]; it may be "scratch".
	Base string
	// Platform is the --platform flag after ARG expansion, "" if none.
	Platform string
	// Line is the 1-based line of the FROM instruction.
	Line int
}

// Parse reads a Dockerfile and returns what it is built from. It uses
// BuildKit's own parser and follows BuildKit's rules for ARG expansion,
// stage names and references, and it checks every image reference as
// BuildKit would, so a Dockerfile that BuildKit rejects for those reasons
// is an error here too. It reads no files and makes no network calls.
//
// An error names its line: it is an [*Error], except when opts.Target
// names no stage.
func Parse(dockerfile []byte, opts Options) (*Info, error) {
	res, err := parser.Parse(bytes.NewReader(dockerfile))
	if err != nil {
		return nil, parserError(err)
	}
	stages, metaArgs, err := parseInstructions(res.AST)
	if err != nil {
		return nil, err
	}
	targetName := opts.Target
	if targetName == "" {
		targetName = stages[len(stages)-1].Name
	}
	lex := shell.NewLex(res.EscapeToken)
	env, err := globalArgs(lex, metaArgs, opts, targetName)
	if err != nil {
		return nil, err
	}
	g, err := newGraph(stages, &expander{lex: lex, env: env})
	if err != nil {
		return nil, err
	}
	target, err := g.target(opts.Target)
	if err != nil {
		return nil, err
	}
	needed, err := g.needed(target)
	if err != nil {
		return nil, err
	}
	syntax, _, _, _ := parser.DetectSyntax(dockerfile)
	info := &Info{
		Syntax:        syntax,
		Froms:         g.froms(needed),
		LastStageFrom: g.nodes[target].Base,
		Stages:        make([]Stage, len(g.nodes)),
		Target:        target,
	}
	for i, n := range g.nodes {
		info.Stages[i] = n.Stage
	}
	return info, nil
}
