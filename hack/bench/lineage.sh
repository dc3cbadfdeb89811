#!/usr/bin/env bash
# hack/bench/lineage.sh: time `brewkit from --all` on the synthetic library
# (hack/bench/synthlib, 144 files, local git remotes) with a fresh and a
# warm --cache, and `children`/`parents` with a warm one, beside the
# reference bashbrew, in the same run, and check that every output is
# bashbrew's. Prints the median of RUNS runs (3) of each; raw times go
# to $OUT/lineage.tsv.
#
#   hack/bench/lineage.sh                       # brewkit of this checkout and bashbrew
#   hack/bench/lineage.sh /tmp/brewkit-before   # and another brewkit binary (a baseline)
#
# Environment: BASHBREW (/tmp/bb/bashbrew), SYNTH (/tmp/synth-lineage, made
# with synthlib if missing), RUNS (3), OUT (.farm/bench/lineage).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)
cd "$ROOT"
BASHBREW=${BASHBREW:-/tmp/bb/bashbrew}
SYNTH=${SYNTH:-/tmp/synth-lineage}
RUNS=${RUNS:-3}
OUT=${OUT:-$ROOT/.farm/bench/lineage}
REAL=${BREWKIT_LIBRARY_SNAPSHOT:-$ROOT/../shared/conformance/official-images/library}
mkdir -p "$OUT"
note() { echo "lineage: $*" >&2; }

if [[ ! -d $SYNTH/official-images/library ]]; then
	note "making the synthetic library in $SYNTH"
	go run ./hack/bench/synthlib -library "$REAL" -out "$SYNTH" >&2
fi
LIB=$SYNTH/official-images/library
go build -o "$OUT/brewkit" ./cmd/brewkit
tools=(bashbrew brewkit)
declare -A bin=([bashbrew]=$BASHBREW [brewkit]=$OUT/brewkit)
if [[ -n ${1:-} ]]; then
	tools+=(baseline)
	bin[baseline]=$(readlink -f "$1")
fi

# run TOOL CACHE NAME ARGS...: runs one command, appends its time to
# lineage.tsv and leaves its output in $OUT/TOOL.NAME.out.
run() {
	local tool=$1 cache=$2 name=$3
	shift 3
	if [[ $tool == bashbrew ]]; then
		BASHBREW_LIBRARY=$LIB BASHBREW_CACHE=$cache /usr/bin/time -f %e -o "$OUT/time" \
			"${bin[$tool]}" "$@" >"$OUT/$tool.$name.out" 2>"$OUT/$tool.$name.err"
	else
		/usr/bin/time -f %e -o "$OUT/time" \
			"${bin[$tool]}" --library "$LIB" --cache "$cache" "$@" >"$OUT/$tool.$name.out" 2>"$OUT/$tool.$name.err"
	fi
	local t
	t=$(tail -1 "$OUT/time")
	printf '%s\t%s\t%s\n' "$tool" "$name" "$t" >>"$OUT/lineage.tsv"
}

: >"$OUT/lineage.tsv"
for r in $(seq "$RUNS"); do
	for tool in "${tools[@]}"; do
		note "run $r: $tool"
		cache=$OUT/cache-$tool
		rm -rf "$cache"
		mkdir -p "$cache"
		run "$tool" "$cache" from-fresh from --all
		run "$tool" "$cache" from-warm from --all
		run "$tool" "$cache" children children debian alpine
		run "$tool" "$cache" parents parents php tomcat
	done
done

# same: outputs are bashbrew's, or the same FROMs in another order on a line
status=0
for tool in "${tools[@]}"; do
	[[ $tool == bashbrew ]] && continue
	for name in from-fresh from-warm children parents; do
		if ! cmp -s "$OUT/bashbrew.$name.out" "$OUT/$tool.$name.out"; then
			words() { awk '{ n = split($0, w, " "); asort(w); s = ""; for (i = 1; i <= n; i++) s = s " " w[i]; print s }' "$1"; }
			if cmp -s <(words "$OUT/bashbrew.$name.out") <(words "$OUT/$tool.$name.out"); then
				note "$tool $name: bashbrew's lines, FROMs in another order"
			else
				note "$tool $name: differs from bashbrew (diff $OUT/bashbrew.$name.out $OUT/$tool.$name.out)"
				status=1
			fi
		fi
	done
done

printf '%-10s %10s %10s %10s %10s\n' "" from-fresh from-warm children parents
for tool in "${tools[@]}"; do
	printf '%-10s' "$tool"
	for name in from-fresh from-warm children parents; do
		awk -v t="$tool" -v n="$name" -F '\t' '$1 == t && $2 == n { print $3 }' "$OUT/lineage.tsv" | sort -n |
			awk '{ v[NR] = $1 } END { printf " %9.2fs", v[int((NR + 1) / 2)] }'
	done
	echo
done
printf '(median of %s runs, %s entry x arch; lines: from %s, children %s, parents %s)\n' "$RUNS" \
	"$("$OUT/brewkit" --library "$LIB" cat --all -f '{{ range .Entries }}{{ len .Architectures }} {{ end }}' | tr ' ' '\n' | awk '{ s += $1 } END { print s }')" \
	"$(wc -l <"$OUT/bashbrew.from-warm.out")" "$(wc -l <"$OUT/bashbrew.children.out")" "$(wc -l <"$OUT/bashbrew.parents.out")"
exit $status
