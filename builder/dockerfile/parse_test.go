package dockerfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var (
	amd64   = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	arm64   = ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	crossed = Options{BuildPlatform: amd64, TargetPlatform: arm64}
)

func ref(name, platform string, line int) Ref {
	return Ref{Name: name, Platform: platform, Line: line}
}

// lines joins its arguments into a Dockerfile.
func lines(l ...string) string {
	return strings.Join(l, "\n") + "\n"
}

type parseCase struct {
	name       string
	dockerfile string
	opts       Options
	froms      []Ref
	last       string // LastStageFrom; "" means the first of froms
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Parse([]byte(tc.dockerfile), tc.opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.froms, info.Froms); diff != "" {
				t.Errorf("Froms (-want +got):\n%s", diff)
			}
			last := tc.last
			if last == "" {
				last = tc.froms[0].Name
			}
			if info.LastStageFrom != last {
				t.Errorf("LastStageFrom = %q, want %q", info.LastStageFrom, last)
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "tag", dockerfile: "FROM debian:bookworm-slim\n", froms: []Ref{ref("debian:bookworm-slim", "", 1)}},
		{name: "no tag", dockerfile: "FROM debian\n", froms: []Ref{ref("debian:latest", "", 1)}},
		{name: "full name kept", dockerfile: "FROM docker.io/library/debian\n", froms: []Ref{ref("docker.io/library/debian:latest", "", 1)}},
		{name: "other registry", dockerfile: "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n", froms: []Ref{ref("mcr.microsoft.com/windows/servercore:ltsc2022", "", 1)}},
		{name: "registry port", dockerfile: "FROM 127.0.0.1:5000/ns/img\n", froms: []Ref{ref("127.0.0.1:5000/ns/img:latest", "", 1)}},
		{
			name:       "digest",
			dockerfile: "FROM 127.0.0.1:5000/ns/img@sha256:" + strings.Repeat("a", 64) + "\n",
			froms:      []Ref{ref("127.0.0.1:5000/ns/img@sha256:"+strings.Repeat("a", 64), "", 1)},
		},
		{name: "lower-case instruction", dockerfile: "from debian:12\n", froms: []Ref{ref("debian:12", "", 1)}},
		{name: "quoted", dockerfile: "FROM \"debian:12\"\n", froms: []Ref{ref("debian:12", "", 1)}},
		{name: "scratch", dockerfile: "FROM scratch\nCOPY a /\n", froms: []Ref{ref("scratch", "", 1)}},
		{
			name:       "scratch listed once, without platform",
			dockerfile: lines("FROM --platform=linux/amd64 scratch AS a", "FROM scratch", "COPY --from=a / /", "COPY --from=scratch / /"),
			froms:      []Ref{ref("scratch", "", 1)},
		},
		{
			name:       "stage called scratch shadows the empty image",
			dockerfile: lines("FROM alpine AS scratch", "FROM scratch"),
			froms:      []Ref{ref("alpine:latest", "", 1)},
		},
		{
			name:       "the same image twice is listed once, at its first use",
			dockerfile: lines("FROM debian:12 AS a", "FROM debian:12", "COPY --from=a / /", "COPY --from=debian:12 / /"),
			froms:      []Ref{ref("debian:12", "", 1)},
		},
		{
			name:       "the same image for two platforms is listed twice",
			dockerfile: lines("FROM --platform=linux/amd64 golang:1.22 AS a", "FROM golang:1.22", "COPY --from=a / /"),
			froms:      []Ref{ref("golang:1.22", "linux/amd64", 1), ref("golang:1.22", "", 2)},
			last:       "golang:1.22",
		},
	})
}

func TestParseArgs(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "default, $X", dockerfile: lines("ARG BASE=debian:bookworm", "FROM $BASE"), froms: []Ref{ref("debian:bookworm", "", 2)}},
		{name: "default, ${X}", dockerfile: lines("ARG BASE=debian:bookworm", "FROM ${BASE}"), froms: []Ref{ref("debian:bookworm", "", 2)}},
		{
			name:       "build arg overrides default",
			dockerfile: lines("ARG BASE=debian:bookworm", "FROM ${BASE}"),
			opts:       Options{BuildArgs: map[string]string{"BASE": "ubuntu:noble"}},
			froms:      []Ref{ref("ubuntu:noble", "", 2)},
		},
		{
			name:       "build arg for an ARG without default",
			dockerfile: lines("ARG TAG", "FROM debian:${TAG}"),
			opts:       Options{BuildArgs: map[string]string{"TAG": "12"}},
			froms:      []Ref{ref("debian:12", "", 2)},
		},
		{
			name:       "default uses an earlier ARG",
			dockerfile: lines("ARG SUITE=bookworm", "ARG TAG=${SUITE}-slim", "FROM debian:$TAG"),
			froms:      []Ref{ref("debian:bookworm-slim", "", 3)},
		},
		{
			name:       "default uses an overridden earlier ARG",
			dockerfile: lines("ARG SUITE=bookworm", "ARG TAG=${SUITE}-slim", "FROM debian:$TAG"),
			opts:       Options{BuildArgs: map[string]string{"SUITE": "trixie"}},
			froms:      []Ref{ref("debian:trixie-slim", "", 3)},
		},
		{
			name:       "several ARGs on one line",
			dockerfile: lines("ARG IMAGE=debian TAG=12", "FROM ${IMAGE}:${TAG}"),
			froms:      []Ref{ref("debian:12", "", 2)},
		},
		{
			name:       "unused ARG with invalid UTF-8",
			dockerfile: lines("ARG JUNK=\xff\x00", "FROM debian:12"),
			froms:      []Ref{ref("debian:12", "", 2)},
		},
		{
			name:       "modifier defaults for unset variables",
			dockerfile: "FROM ${IMAGE:-debian}:${TAG:-12}\n",
			froms:      []Ref{ref("debian:12", "", 1)},
		},
		{
			name:       "ARG inside a stage does not reach the next FROM",
			dockerfile: lines("ARG TAG=12", "FROM debian:${TAG} AS a", "ARG TAG=11", "FROM debian:${TAG}", "COPY --from=a / /"),
			froms:      []Ref{ref("debian:12", "", 2)},
		},
		{
			name:       "--platform=$BUILDPLATFORM",
			dockerfile: lines("FROM --platform=$BUILDPLATFORM golang:1.22 AS build", "FROM alpine:3.20", "COPY --from=build /out /"),
			opts:       crossed,
			froms:      []Ref{ref("golang:1.22", "linux/amd64", 1), ref("alpine:3.20", "", 2)},
			last:       "alpine:3.20",
		},
		{
			name:       "$TARGETPLATFORM has the variant",
			dockerfile: "FROM --platform=${TARGETPLATFORM} alpine\n",
			opts:       crossed,
			froms:      []Ref{ref("alpine:latest", "linux/arm64/v8", 1)},
		},
		{
			name:       "$TARGETOS/$TARGETARCH$TARGETVARIANT in the image",
			dockerfile: "FROM --platform=$BUILDOS/$BUILDARCH img:${TARGETOS}-${TARGETARCH}${TARGETVARIANT}\n",
			opts:       crossed,
			froms:      []Ref{ref("img:linux-arm64v8", "linux/amd64", 1)},
		},
		{
			name:       "target platform defaults to the build platform",
			dockerfile: "FROM alpine:$TARGETARCH\n",
			opts:       Options{BuildPlatform: amd64},
			froms:      []Ref{ref("alpine:amd64", "", 1)},
		},
		{
			name:       "build arg overrides an automatic ARG",
			dockerfile: "FROM alpine:$TARGETARCH\n",
			opts:       Options{TargetPlatform: arm64, BuildArgs: map[string]string{"TARGETARCH": "riscv64"}},
			froms:      []Ref{ref("alpine:riscv64", "", 1)},
		},
		{
			name:       "declared automatic ARG keeps its value",
			dockerfile: lines("ARG TARGETARCH", "FROM alpine:$TARGETARCH"),
			opts:       crossed,
			froms:      []Ref{ref("alpine:arm64", "", 2)},
		},
		{
			name:       "ARG default replaces an automatic ARG",
			dockerfile: lines("ARG TARGETARCH=s390x", "FROM alpine:$TARGETARCH"),
			opts:       crossed,
			froms:      []Ref{ref("alpine:s390x", "", 2)},
		},
		{
			name:       "windows os version in $TARGETPLATFORM",
			dockerfile: "FROM --platform=$TARGETPLATFORM mcr.microsoft.com/windows/nanoserver:ltsc2022\n",
			opts:       Options{TargetPlatform: ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2582"}},
			froms:      []Ref{ref("mcr.microsoft.com/windows/nanoserver:ltsc2022", "windows(10.0.20348.2582)/amd64", 1)},
		},
		{
			name:       "$TARGETSTAGE",
			dockerfile: lines("FROM alpine AS a", "FROM img:${TARGETSTAGE} AS b"),
			opts:       Options{Target: "b"},
			froms:      []Ref{ref("img:b", "", 2)},
		},
		{
			name:       "$TARGETSTAGE of an unnamed last stage",
			dockerfile: "FROM img:${TARGETSTAGE}\n",
			froms:      []Ref{ref("img:default", "", 1)},
		},
	})
}

func TestParseStages(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name:       "FROM a stage is not external",
			dockerfile: lines("FROM golang:1.22 AS build", "RUN make", "FROM build AS final"),
			froms:      []Ref{ref("golang:1.22", "", 1)},
		},
		{
			name:       "stage name is lower-cased where declared",
			dockerfile: lines("FROM golang:1.22 AS Build", "FROM build"),
			froms:      []Ref{ref("golang:1.22", "", 1)},
		},
		{
			name:       "chain of stages",
			dockerfile: lines("FROM debian:12 AS a", "FROM a AS b", "FROM b AS c", "FROM c"),
			froms:      []Ref{ref("debian:12", "", 1)},
		},
		{
			name:       "FROM a later stage's name is an image",
			dockerfile: lines("FROM final AS x", "FROM alpine AS final", "COPY --from=x / /"),
			froms:      []Ref{ref("final:latest", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
		{
			name:       "COPY --from a stage",
			dockerfile: lines("FROM golang:1.22 AS build", "FROM alpine", "COPY --from=build /out /"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
		{
			name:       "COPY --from a stage, any case",
			dockerfile: lines("FROM golang:1.22 AS build", "FROM alpine", "COPY --from=BUILD /out /"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
		{
			name:       "COPY --from an image",
			dockerfile: lines("FROM alpine", "COPY --from=nginx:latest /etc/nginx /etc/nginx", "COPY --from=busybox /bin/busybox /bin/"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("nginx:latest", "", 2), ref("busybox:latest", "", 3)},
		},
		{
			name:       "COPY --from a stage index",
			dockerfile: lines("FROM golang:1.22", "FROM alpine", "COPY --from=0 /out /"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
		{
			name:       "COPY --from=scratch",
			dockerfile: lines("FROM alpine", "COPY --from=scratch / /"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("scratch", "", 2)},
		},
		{
			name:       "RUN --mount=type=bind,from=image",
			dockerfile: lines("FROM alpine", "RUN --mount=type=bind,from=node:20,target=/x ls /x"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("node:20", "", 2)},
		},
		{
			name:       "RUN --mount=from=stage",
			dockerfile: lines("FROM golang:1.22 AS build", "FROM alpine", "RUN --mount=from=build,source=/out,target=/x cp /x /y"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
		{
			name:       "RUN --mount of other types with from=",
			dockerfile: lines("FROM alpine", "RUN --mount=type=cache,from=redis:7,target=/c --mount=type=tmpfs,target=/t --mount=target=/ctx true"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("redis:7", "", 2)},
		},
		{
			name:       "RUN --mount=from=0 is an image",
			dockerfile: lines("FROM golang:1.22", "FROM alpine", "RUN --mount=from=0,target=/x true"),
			froms:      []Ref{ref("alpine:latest", "", 2), ref("0:latest", "", 3)},
		},
		{
			name:       "duplicate stage names: FROM takes the earlier, COPY --from the last",
			dockerfile: lines("FROM alpine AS x", "FROM x AS y", "FROM debian:12 AS x", "FROM busybox", "COPY --from=y / /", "COPY --from=x / /"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("debian:12", "", 3), ref("busybox:latest", "", 4)},
			last:       "busybox:latest",
		},
		{
			name:       "first-use order across stages",
			dockerfile: lines("FROM golang:1.22 AS build", "COPY --from=tonistiigi/xx / /", "FROM debian:12", "COPY --from=build / /", "COPY --from=tonistiigi/xx / /", "RUN --mount=from=golang:1.22 true"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("tonistiigi/xx:latest", "", 2), ref("debian:12", "", 3)},
			last:       "debian:12",
		},
		{
			name:       "a stage the target does not read may read a later stage",
			dockerfile: lines("FROM alpine AS a", "COPY --from=b / /", "FROM busybox AS b"),
			froms:      []Ref{ref("busybox:latest", "", 3)},
		},
		{
			name:       "stages the target does not read are skipped",
			dockerfile: lines("FROM golang:1.22 AS unused", "COPY --from=nginx / /", "FROM alpine"),
			froms:      []Ref{ref("alpine:latest", "", 3)},
		},
		{
			name:       "target",
			dockerfile: lines("FROM golang:1.22 AS build", "COPY --from=tonistiigi/xx / /", "FROM build AS test", "FROM alpine", "COPY --from=build / /"),
			opts:       Options{Target: "test"},
			froms:      []Ref{ref("golang:1.22", "", 1), ref("tonistiigi/xx:latest", "", 2)},
		},
		{
			name:       "target in any case",
			dockerfile: lines("FROM golang:1.22 AS build", "FROM alpine"),
			opts:       Options{Target: "BUILD"},
			froms:      []Ref{ref("golang:1.22", "", 1)},
		},
	})
}

func TestParseSyntax(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name:       "line continuation",
			dockerfile: lines("FROM \\", "  --platform=linux/amd64 \\", "  debian:12 \\", "  AS base", "FROM base"),
			froms:      []Ref{ref("debian:12", "linux/amd64", 1)},
		},
		{
			name:       "continued RUN --mount",
			dockerfile: lines("FROM alpine", "RUN --mount=type=bind,\\", "from=node:20,target=/x \\", "    ls /x"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("node:20", "", 2)},
		},
		{
			name:       "escape directive",
			dockerfile: lines("# escape=`", "FROM mcr.microsoft.com/windows/servercore:ltsc2022 `", "  AS base", "RUN dir C:\\", "FROM base"),
			froms:      []Ref{ref("mcr.microsoft.com/windows/servercore:ltsc2022", "", 2)},
		},
		{
			name: "heredocs",
			dockerfile: lines(
				"FROM alpine",
				"RUN <<EOF",
				"FROM not-an-image",
				"COPY --from=not-an-image / /",
				"EOF",
				"COPY <<EOT /etc/motd",
				"FROM nor-this",
				"EOT",
				"COPY --from=nginx / /",
			),
			froms: []Ref{ref("alpine:latest", "", 1), ref("nginx:latest", "", 9)},
		},
		{
			name:       "comments and blank lines",
			dockerfile: lines("# FROM nothing", "", "FROM alpine", "# COPY --from=nothing / /"),
			froms:      []Ref{ref("alpine:latest", "", 3)},
		},
		{
			name:       "check directive in a comment",
			dockerfile: lines("# check=skip=all", "FROM alpine", "# check=error=true", "RUN true"),
			froms:      []Ref{ref("alpine:latest", "", 2)},
		},
	})
}

func TestParseOnbuild(t *testing.T) {
	runParseCases(t, []parseCase{
		{
			name:       "a stage's ONBUILD fires in a stage built FROM it",
			dockerfile: lines("FROM alpine AS base", "ONBUILD COPY --from=nginx / /", "ONBUILD RUN --mount=from=node:20,target=/x true", "FROM base", "COPY --from=busybox / /"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("nginx:latest", "", 4), ref("node:20", "", 4), ref("busybox:latest", "", 5)},
		},
		{
			name:       "ONBUILD does not fire in its own stage",
			dockerfile: lines("FROM alpine", "ONBUILD COPY --from=nginx / /"),
			froms:      []Ref{ref("alpine:latest", "", 1)},
		},
		{
			name:       "ONBUILD fires in the child, at its FROM",
			dockerfile: lines("FROM alpine AS a", "ONBUILD COPY --from=nginx / /", "FROM a AS b", "FROM b"),
			froms:      []Ref{ref("alpine:latest", "", 1), ref("nginx:latest", "", 3)},
		},
		{
			name:       "ONBUILD does not fire in a stage the target does not read",
			dockerfile: lines("FROM alpine AS base", "ONBUILD COPY --from=Bad / /", "FROM base AS child", "FROM debian:12"),
			froms:      []Ref{ref("debian:12", "", 4)},
		},
		{
			name:       "ONBUILD COPY --from a stage",
			dockerfile: lines("FROM golang:1.22 AS build", "FROM alpine AS base", "ONBUILD COPY --from=build / /", "FROM base"),
			froms:      []Ref{ref("golang:1.22", "", 1), ref("alpine:latest", "", 2)},
			last:       "alpine:latest",
		},
	})
}

func TestParseInfo(t *testing.T) {
	df := lines(
		"# syntax=docker/dockerfile:1.7",
		"ARG GO=1.22",
		"FROM --platform=$BUILDPLATFORM golang:${GO} AS Build",
		"FROM build AS test",
		"FROM scratch",
		"COPY --from=build /out /",
	)
	got, err := Parse([]byte(df), crossed)
	if err != nil {
		t.Fatal(err)
	}
	want := &Info{
		Syntax:        "docker/dockerfile:1.7",
		Froms:         []Ref{ref("golang:1.22", "linux/amd64", 3), ref("scratch", "", 5)},
		LastStageFrom: "scratch",
		Stages: []Stage{
			{Name: "build", From: "golang:1.22", Base: "golang:1.22", Platform: "linux/amd64", Line: 3},
			{Name: "test", From: "build", Base: "golang:1.22", Line: 4},
			{From: "scratch", Base: "scratch", Line: 5},
		},
		Target: 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		opts       Options
		line       int    // 0: not an *Error
		msg        string // the whole message
	}{
		{name: "empty", dockerfile: "", line: 1, msg: "line 1: file with no instructions"},
		{name: "comments only", dockerfile: lines("# a", "# b"), line: 2, msg: "line 2: file with no instructions"},
		{name: "no FROM", dockerfile: lines("ARG A=1", "ARG B=2"), line: 1, msg: "line 1: no FROM instruction: the Dockerfile has no stage to build"},
		{name: "RUN before FROM", dockerfile: lines("ARG A=1", "run true", "FROM alpine"), line: 2, msg: "line 2: RUN before the first FROM: only ARG and parser directives may come before FROM"},
		{name: "unknown instruction", dockerfile: lines("FROM alpine", "", "FORM debian"), line: 3, msg: "line 3: unknown instruction: FORM (did you mean FROM?)"},
		{
			name:       "undefined ARG",
			dockerfile: lines("FROM alpine AS a", "FROM ${MISSING}"),
			line:       2,
			msg:        "line 2: FROM ${MISSING}: ARG MISSING has no value; declare it with a default or pass it as a build arg",
		},
		{
			name:       "ARG without default or build arg",
			dockerfile: lines("ARG TAG", "FROM debian:$TAG"),
			line:       2,
			msg:        "line 2: FROM debian:$TAG: ARG TAG has no value; declare it with a default or pass it as a build arg",
		},
		{
			name:       "undeclared build arg is not visible",
			dockerfile: "FROM ${BASE}\n",
			opts:       Options{BuildArgs: map[string]string{"BASE": "debian"}},
			line:       1,
			msg:        "line 1: FROM ${BASE}: ARG BASE has no value; declare it with a default or pass it as a build arg",
		},
		{
			name:       "ARG declared inside a stage is not visible to FROM",
			dockerfile: lines("FROM alpine", "ARG BASE=debian", "FROM $BASE"),
			line:       3,
			msg:        "line 3: FROM $BASE: ARG BASE has no value; declare it with a default or pass it as a build arg",
		},
		{
			name:       "$BUILDPLATFORM without platforms",
			dockerfile: "FROM --platform=$BUILDPLATFORM golang AS build\n",
			line:       1,
			msg:        "line 1: FROM --platform=$BUILDPLATFORM golang AS build: BUILDPLATFORM has no value; set Options.BuildPlatform",
		},
		{
			name:       "$TARGETARCH without platforms",
			dockerfile: "FROM alpine:$TARGETARCH\n",
			line:       1,
			msg:        "line 1: FROM alpine:$TARGETARCH: TARGETARCH has no value; set Options.TargetPlatform or Options.BuildPlatform",
		},
		{
			name:       "empty base name",
			dockerfile: lines("ARG BASE", "FROM ${BASE}"),
			opts:       Options{BuildArgs: map[string]string{"BASE": ""}},
			line:       2,
			msg:        "line 2: FROM ${BASE}: the base image name is empty after ARG expansion",
		},
		{
			name:       "empty tag",
			dockerfile: lines("ARG TAG=", "FROM debian:${TAG}"),
			line:       2,
			msg:        `line 2: FROM debian:${TAG}: invalid image reference "debian:": invalid reference format`,
		},
		{
			name:       "bad substitution",
			dockerfile: "FROM ${}\n",
			line:       1,
			msg:        `line 1: FROM ${}: failed to process "${}": syntax error: bad substitution`,
		},
		{
			name:       "bad platform",
			dockerfile: "FROM --platform=linux/amd64/v3/x alpine\n",
			line:       1,
			msg:        `line 1: FROM --platform=linux/amd64/v3/x alpine: invalid platform "linux/amd64/v3/x": "linux/amd64/v3/x": cannot parse platform specifier: invalid argument`,
		},
		{
			name:       "FROM SCRATCH is not scratch",
			dockerfile: "FROM SCRATCH\n",
			line:       1,
			msg:        `line 1: FROM SCRATCH: invalid image reference "SCRATCH": invalid reference format: repository name (library/SCRATCH) must be lowercase`,
		},
		{
			name:       "FROM compares stage names exactly",
			dockerfile: lines("FROM alpine AS build", "FROM BUILD"),
			line:       2,
			msg:        `line 2: FROM BUILD: invalid image reference "BUILD": invalid reference format: repository name (library/BUILD) must be lowercase`,
		},
		{
			name:       "bad image in a stage the target does not read",
			dockerfile: lines("FROM alpine AS a", "COPY --from=Nginx / /", "FROM debian"),
			line:       2,
			msg:        `line 2: COPY --from=Nginx: invalid image reference "Nginx": invalid reference format: repository name (library/Nginx) must be lowercase`,
		},
		{
			name:       "COPY --from with a variable",
			dockerfile: lines("ARG X=a", "FROM alpine", "COPY --from=$X / /"),
			line:       3,
			msg:        "line 3: COPY --from=$X: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
		},
		{
			name:       "RUN --mount=from= with a variable",
			dockerfile: lines("FROM alpine", "RUN --mount=from=$X true"),
			line:       2,
			msg:        "line 2: 'from' doesn't support variable expansion, define alias stage instead",
		},
		{
			name:       "COPY --from a bad index",
			dockerfile: lines("FROM alpine", "COPY --from=1 / /"),
			line:       2,
			msg:        "line 2: COPY --from=1: invalid stage index 1",
		},
		{
			name:       "COPY --from its own stage",
			dockerfile: lines("FROM alpine AS a", "COPY --from=a / /"),
			line:       2,
			msg:        "line 2: COPY --from=a: circular dependency detected on stage: a",
		},
		{
			name:       "COPY --from a later stage",
			dockerfile: lines("FROM alpine AS first", "COPY --from=later / /", "FROM busybox AS later", "FROM first"),
			line:       2,
			msg:        `line 2: COPY --from=later: cannot copy from stage "later", it needs to be defined before current stage "first"`,
		},
		{
			name:       "COPY --from a later stage by index",
			dockerfile: lines("FROM alpine AS a", "COPY --from=1 / /", "FROM busybox", "FROM a"),
			line:       2,
			msg:        `line 2: COPY --from=1: cannot copy from stage "1", it needs to be defined before current stage "a"`,
		},
		{
			name:       "cycle in stages the target does not read",
			dockerfile: lines("FROM alpine AS a", "COPY --from=b / /", "FROM busybox AS b", "COPY --from=a / /", "FROM debian"),
			line:       4,
			msg:        "line 4: COPY --from=a: circular dependency detected on stage: a",
		},
		{
			name:       "RUN --mount=from= a later stage",
			dockerfile: lines("FROM alpine AS a", "RUN --mount=from=b,target=/b true", "FROM busybox AS b"),
			opts:       Options{Target: "a"},
			line:       2,
			msg:        `line 2: RUN --mount=from=b: cannot mount from stage "b", stage needs to be defined before current command`,
		},
		{
			name:       "bad ONBUILD trigger",
			dockerfile: lines("FROM alpine AS base", "ONBUILD COPY --from=Bad / /", "FROM base"),
			line:       3,
			msg:        `line 3: COPY --from=Bad: invalid image reference "Bad": invalid reference format: repository name (library/Bad) must be lowercase`,
		},
		{
			name:       "unterminated heredoc",
			dockerfile: lines("FROM alpine", "RUN <<EOF", "true"),
			line:       2,
			msg:        "line 2: unterminated heredoc",
		},
		{name: "bad escape directive", dockerfile: lines("# escape=x", "FROM alpine"), line: 1, msg: "line 1: invalid escape token 'x' does not match ` or \\"},
		{
			name:       "bad escape directive on line 2",
			dockerfile: lines("# syntax=docker/dockerfile:1", "# escape=x", "FROM alpine"),
			line:       2,
			msg:        "line 2: invalid escape token 'x' does not match ` or \\",
		},
		{name: "NUL in FROM", dockerfile: "FROM alpine\x00\n", line: 1, msg: "line 1: FROM alpine\x00: invalid UTF-8 or NUL character"},
		{name: "NUL in COPY --from", dockerfile: "FROM alpine\nCOPY --from=a\x00 / /\n", line: 2, msg: `line 2: COPY --from="a\x00": invalid UTF-8 or NUL character`},
		{name: "FROM with two arguments", dockerfile: "FROM alpine build\n", line: 1, msg: "line 1: FROM requires either one or three arguments"},
		{name: "bad stage name", dockerfile: "FROM alpine AS 1st\n", line: 1, msg: `line 1: invalid name for build stage: "1st", name can't start with a number or contain symbols`},
		{
			name:       "unknown target",
			dockerfile: lines("FROM alpine AS build", "FROM build AS test"),
			opts:       Options{Target: "release"},
			msg:        `target stage "release" could not be found; the named stages are build, test`,
		},
		{
			name:       "target without named stages",
			dockerfile: "FROM alpine\n",
			opts:       Options{Target: "release"},
			msg:        `target stage "release" could not be found: no stage has a name`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Parse([]byte(tc.dockerfile), tc.opts)
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", info, tc.msg)
			}
			if err.Error() != tc.msg {
				t.Errorf("error = %q\nwant    %q", err, tc.msg)
			}
			var perr *Error
			if got := errors.As(err, &perr); got != (tc.line > 0) {
				t.Fatalf("errors.As(*Error) = %v, want %v", got, tc.line > 0)
			}
			if perr != nil && perr.Line != tc.line {
				t.Errorf("Line = %d, want %d", perr.Line, tc.line)
			}
		})
	}
}

// BuildKit's own error types stay reachable through *Error.
func TestParseErrorUnwraps(t *testing.T) {
	_, err := Parse([]byte("FROM alpine\nFORM debian\n"), Options{})
	var uerr *instructions.UnknownInstructionError
	if !errors.As(err, &uerr) {
		t.Fatalf("errors.As(%v, *UnknownInstructionError) = false", err)
	}
	if uerr.Instruction != "FORM" || uerr.Line != 2 {
		t.Errorf("UnknownInstructionError = %+v, want FORM at line 2", uerr)
	}
}
