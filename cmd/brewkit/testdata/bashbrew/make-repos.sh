#!/usr/bin/env bash
# make-repos.sh DIR: creates the git repository DIR/src that the library
# files beside this script name (GitRepo: @REPOS@/src), with the same
# commit ids every time: fixed names, dates and git configuration.
# Used by the Go tests and by hack/conformance/bashbrew-fixtures.sh.
set -Eeuo pipefail

dir="$1/src"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=/nonexistent
export GIT_AUTHOR_NAME=Fixture GIT_AUTHOR_EMAIL=fixture@example.com
export GIT_COMMITTER_NAME=Fixture GIT_COMMITTER_EMAIL=fixture@example.com
mkdir -p "$dir"
cd "$dir"
git init --quiet --initial-branch=main
git config uploadpack.allowAnySHA1InWant true

write() { mkdir -p "$(dirname "$1")"; printf '%s' "$2" > "$1"; }

# commit 1: the base images
write base/Dockerfile $'FROM scratch\nCOPY hello /hello\n'
write base/hello $'hello\n'
write base-arm/Dockerfile $'FROM scratch\nCOPY hello /hello\n'
write base-arm/hello $'hello arm\n'
write win/Dockerfile $'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo hi\n'
git add -A
GIT_AUTHOR_DATE='2024-01-02T03:04:05+01:00' GIT_COMMITTER_DATE='2024-01-02T03:04:05+01:00' \
	git commit --quiet -m 'base'

# commit 2: images FROM them; the committer is later than the author
write mid/Dockerfile $'FROM base:1\nCOPY --from=golang:1.22 /usr/local/go /usr/local/go\nRUN --mount=type=bind,from=debian:bookworm,target=/d true\n'
write app/Dockerfile $'FROM mid AS build\nRUN make\n\nFROM base\nCOPY --from=build /out /out\n'
write app-extra/Dockerfile $'FROM app:1\nRUN extra\n'
write app-extra/run.sh $'#!/bin/sh\necho run\n'
chmod +x app-extra/run.sh
write winapp/Dockerfile $'FROM base:1-win\nRUN echo app\n'
write multi/Dockerfile $'# a comment\nFROM debian:bookworm-slim AS one\nFROM alpine:3.20\nCOPY --from=0 /etc/os-release /debian-os-release\n'
git add -A
GIT_AUTHOR_DATE='2024-02-03T04:05:06-05:00' GIT_COMMITTER_DATE='2024-03-04T05:06:07+05:30' \
	git commit --quiet -m 'children'
git tag fixture
