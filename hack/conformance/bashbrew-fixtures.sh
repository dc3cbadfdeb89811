#!/usr/bin/env bash
# Records the real bashbrew's answers for the fixture library in
# cmd/brewkit/testdata/bashbrew, which the Go tests compare brewkit's with
# byte for byte (TestBashbrewFixtures).
#
#   hack/conformance/bashbrew-fixtures.sh /path/to/bashbrew
#
# The bashbrew binary was built from the docker-library/bashbrew mirror:
#   mkdir -p /tmp/bb && git -C MIRROR archive HEAD | tar x -C /tmp/bb
#   cd /tmp/bb && GOFLAGS=-mod=mod go build -o /tmp/bb/bashbrew ./cmd/bashbrew
# For each line "NAME ARGS..." of cases.txt it runs bashbrew ARGS with
# BASHBREW_LIBRARY at the library (its @REPOS@ replaced by the repositories
# make-repos.sh creates), a fresh BASHBREW_CACHE per case, BASHBREW_ARCH
# amd64, and writes stdout to expected/NAME.out and the exit status to
# expected/NAME.exit. Neither bashbrew nor its source is committed.
set -Eeuo pipefail

bashbrew="$(readlink -f "$1")"
here="$(cd "$(dirname "$BASH_SOURCE")/../../cmd/brewkit/testdata/bashbrew" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$here/make-repos.sh" "$tmp/repos"
mkdir "$tmp/library"
for f in "$here"/library/*; do
	sed "s|@REPOS@|$tmp/repos|g" "$f" > "$tmp/library/$(basename "$f")"
done

rm -f "$here"/expected/*
grep -v '^#' "$here/cases.txt" | while read -r name args; do
	[ -n "$name" ] || continue
	args="${args//@TESTDATA@/$here}"
	rm -rf "$tmp/cache"
	status=0
	(cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" BASHBREW_LIBRARY="$tmp/library" BASHBREW_CACHE="$tmp/cache" BASHBREW_ARCH=amd64 \
		"$bashbrew" $args) > "$here/expected/$name.out" 2> "$tmp/stderr" || status=$?
	echo "$status" > "$here/expected/$name.exit"
	echo "$name: exit $status" >&2
	sed 's/^/    /' "$tmp/stderr" | head -5 >&2
done
