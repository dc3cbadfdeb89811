#!/usr/bin/env bash
# Records what official-images' naughty-sharedtags.sh, naughty-from.sh and
# naughty-constraints.sh say, with the real bashbrew on PATH as bashbrew, on
# each fixture library of cmd/brewkit/testdata/naughty/libraries, which the
# Go tests compare brewkit's with: byte for byte when the scripts run with
# brewkit as bashbrew (TestNaughtyScripts), and finding by finding for
# brewkit check (TestNaughtyCheck).
#
#   hack/conformance/naughty-fixtures.sh /path/to/bashbrew [OFFICIAL_IMAGES_GIT_DIR]
#
# The bashbrew binary was built from the docker-library/bashbrew mirror:
#   mkdir -p /tmp/bb && git -C MIRROR archive HEAD | tar x -C /tmp/bb
#   cd /tmp/bb && GOFLAGS=-mod=mod go build -o /tmp/bb/bashbrew ./cmd/bashbrew
# The scripts come from a git archive of HEAD of the official-images git
# directory (default /work/.mirror/docker-library+official-images/repo);
# that commit is written to expected/official-images.commit. For each
# library L and script S it runs S (with no arguments: --all) from the
# archive with BASHBREW_LIBRARY at L (its @REPOS@ replaced by the
# repositories make-repos.sh creates), a fresh BASHBREW_CACHE, and writes
# stdout to expected/L.S.out and the exit status to expected/L.S.exit.
# Neither bashbrew, its source nor the scripts are committed.
#
# The images of external-pins.txt (brewkit-fixture/..., Docker Hub names)
# are pinned: hack/conformance/pinregistry (built here with go) serves an
# in-process registry on loopback holding them, writes their digests into
# the archive's .external-pins, and the scripts run with
# DOCKERHUB_PUBLIC_PROXY=http://127.0.0.1:PORT, which bashbrew asks first
# for Docker Hub images (over plain http, as the URL says), so that
# naughty-from.sh's `bashbrew remote arches --json IMAGE@DIGEST` is
# answered without the network. The registry is stopped (by its pid) at
# the end.
set -Eeuo pipefail

bashbrew="$(readlink -f "$1")"
oi="${2:-/work/.mirror/docker-library+official-images/repo}"
top="$(cd "$(dirname "$BASH_SOURCE")/../.." && pwd)"
here="$top/cmd/brewkit/testdata/naughty"
tmp="$(mktemp -d)"
registry=
cleanup() {
	if [ -n "$registry" ]; then
		kill "$registry" 2>/dev/null || :
		wait "$registry" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/oi" "$tmp/bin"
git -C "$oi" archive HEAD | tar x -C "$tmp/oi"
ln -s "$bashbrew" "$tmp/bin/bashbrew"
"$here/make-repos.sh" "$tmp/repos"

# no external FROM of the fixtures may be pinned by official-images itself:
# those of the first kind would need the network, and the fixture pins
# below must not overwrite real ones
for pin in example.com/fixture/unpinned___1 mcr.microsoft.com/windows/servercore___ltsc2099 mcr.microsoft.com/windows/nanoserver___ltsc2099 mcr.microsoft.com/windows___ltsc2099 brewkit-fixture; do
	if [ -e "$tmp/oi/.external-pins/$pin" ]; then
		echo >&2 "error: official-images now pins $pin: the fixtures would need a registry or clobber its pins"
		exit 1
	fi
done

(cd "$top" && go build -o "$tmp/pinregistry" ./hack/conformance/pinregistry)
"$tmp/pinregistry" -images "$here/external-pins.txt" -pins "$tmp/oi/.external-pins" -url-file "$tmp/proxy-url" &
registry=$!
for _ in $(seq 600); do
	[ ! -s "$tmp/proxy-url" ] || break
	kill -0 "$registry" 2>/dev/null || { echo >&2 "error: pinregistry exited"; exit 1; }
	sleep 0.1
done
proxy="$(< "$tmp/proxy-url")"
echo "pinned external images served at $proxy (DOCKERHUB_PUBLIC_PROXY):" >&2
(cd "$tmp/oi/.external-pins" && grep -r . brewkit-fixture) | sed 's/^/    /' >&2

rm -rf "$here/expected"
mkdir "$here/expected"
git -C "$oi" rev-parse HEAD > "$here/expected/official-images.commit"
for dir in "$here"/libraries/*/; do
	lib="$(basename "$dir")"
	rm -rf "$tmp/library"
	mkdir "$tmp/library"
	for f in "$dir"*; do
		sed "s|@REPOS@|$tmp/repos|g" "$f" > "$tmp/library/$(basename "$f")"
	done
	for script in naughty-sharedtags naughty-from naughty-constraints; do
		rm -rf "$tmp/cache"
		status=0
		(cd "$tmp/oi" && env -i PATH="$tmp/bin:$PATH" HOME="$tmp" BASHBREW_LIBRARY="$tmp/library" BASHBREW_CACHE="$tmp/cache" \
			DOCKERHUB_PUBLIC_PROXY="$proxy" "./$script.sh") > "$here/expected/$lib.$script.out" 2> "$tmp/stderr" || status=$?
		echo "$status" > "$here/expected/$lib.$script.exit"
		echo "$lib $script: exit $status" >&2
		sed 's/^/    /' "$tmp/stderr" | head -5 >&2
	done
done
