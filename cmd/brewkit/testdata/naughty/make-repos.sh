#!/usr/bin/env bash
# make-repos.sh DIR: creates the git repository DIR/src that the fixture
# libraries beside this script name (GitRepo: @REPOS@/src), with the same
# commit id every time: fixed names, dates and git configuration.
# Used by the Go tests (TestNaughtyScripts, TestNaughtyCheck) and by
# hack/conformance/naughty-fixtures.sh.
set -Eeuo pipefail

dir="$1/src"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=/nonexistent
export GIT_AUTHOR_NAME=Fixture GIT_AUTHOR_EMAIL=fixture@example.com
export GIT_COMMITTER_NAME=Fixture GIT_COMMITTER_EMAIL=fixture@example.com
export GIT_AUTHOR_DATE='2024-05-06T07:08:09+00:00' GIT_COMMITTER_DATE='2024-05-06T07:08:09+00:00'
mkdir -p "$dir"
cd "$dir"
git init --quiet --initial-branch=main

write() { mkdir -p "$(dirname "$1")"; printf '%s' "$2" > "$1"; }

# The external images of the first commit are ones official-images'
# .external-pins does not pin (ltsc2099, example.com): naughty-from.sh asks
# a registry (bashbrew remote arches) only for pinned ones. Those of the
# second (brewkit-fixture/...) are pinned by the tests and the recording
# script, which push them (external-pins.txt) to a registry on loopback
# standing in for Docker Hub as DOCKERHUB_PUBLIC_PROXY: no network either.
write scratch/Dockerfile $'FROM scratch\nCOPY hello /hello\n'
write scratch/hello $'hello\n'
write child/Dockerfile $'FROM base:1\nRUN true\n'
write child-copy/Dockerfile $'FROM base:1\nCOPY --from=helper:1 /x /x\n'
write external/Dockerfile $'FROM example.com/fixture/unpinned:1\nRUN true\n'
write nodebian/Dockerfile $'FROM debian:bookworm\nRUN true\n'
write onubuntu/Dockerfile $'FROM ubuntu:questing\nRUN true\n'
write onubuntu-old/Dockerfile $'FROM ubuntu:noble\nRUN true\n'
write servercore/Dockerfile $'FROM mcr.microsoft.com/windows/servercore:ltsc2099\nRUN echo hi\n'
write nanoserver/Dockerfile $'FROM mcr.microsoft.com/windows/nanoserver:ltsc2099\nRUN echo hi\n'
write winchild/Dockerfile $'FROM winbase:servercore\nRUN echo hi\n'
write winweird/Dockerfile $'FROM mcr.microsoft.com/windows:ltsc2099\nRUN echo hi\n'
git add -A
git commit --quiet -m 'naughty fixtures'

write pinned-multi/Dockerfile $'FROM brewkit-fixture/multi:1\nRUN true\n'
write pinned-single/Dockerfile $'FROM brewkit-fixture/single:1\nRUN true\n'
git add -A
git commit --quiet -m 'pinned external images'
