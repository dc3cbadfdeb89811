package dockerfile

import (
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"FROM debian:bookworm-slim\n",
		"ARG BASE=debian:bookworm\nFROM ${BASE} AS a\nFROM a\n",
		"FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM alpine\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\n",
		"FROM alpine\nRUN --mount=type=bind,from=node:20,target=/x --mount=type=cache,target=/c true\n",
		"FROM alpine AS base\nONBUILD COPY --from=nginx / /\nFROM base\n",
		"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n  AS base\nFROM base\n",
		"FROM scratch\nCOPY --from=scratch / /\n",
		"FROM alpine\nRUN <<EOF\nFROM x\nEOF\nCOPY <<EOT /x\nhi\nEOT\n",
		"# syntax=docker/dockerfile:1\n# check=skip=all\nFROM ${IMAGE:-debian}:${TAG:-12}\n",
		"FROM 127.0.0.1:5000/ns/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	} {
		f.Add([]byte(s), "")
	}
	f.Add(readTestdata(f, "multistage.Dockerfile"), "gotest")
	f.Fuzz(func(t *testing.T, dockerfile []byte, target string) {
		opts := crossed
		opts.Target = target
		info, err := Parse(dockerfile, opts)
		if err != nil {
			return
		}
		for _, r := range info.Froms {
			if r.Name == "" {
				t.Errorf("empty Ref.Name in %+v", info.Froms)
			}
			if n := Normalize(r.Name); n != r.Name {
				t.Errorf("Normalize(%q) = %q", r.Name, n)
			}
			if r.Line < 1 {
				t.Errorf("Ref %+v has no line", r)
			}
		}
		if info.Target < 0 || info.Target >= len(info.Stages) {
			t.Fatalf("Target = %d with %d stages", info.Target, len(info.Stages))
		}
		if info.LastStageFrom != info.Stages[info.Target].Base || info.LastStageFrom == "" {
			t.Errorf("LastStageFrom = %q, Stages[%d].Base = %q", info.LastStageFrom, info.Target, info.Stages[info.Target].Base)
		}
	})
}
