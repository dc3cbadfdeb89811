package platforms

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Compare orders platforms as they appear in an OCI index built by the
// production pipeline, returning a negative number when a sorts before b.
// Both are normalised first, then compared by:
//
//  1. OS: "linux" first, then the others alphabetically;
//  2. architecture: "amd64", then "arm64", then the others alphabetically;
//  3. variant, descending, so "v8" precedes "v7" and an empty variant is last;
//  4. OSVersion, descending by numeric dot-separated components, so the
//     newest Windows comes first.
func Compare(a, b ocispec.Platform) int {
	a, b = Normalize(a), Normalize(b)
	if c := compareRanked(a.OS, b.OS, "linux"); c != 0 {
		return c
	}
	if c := compareRanked(a.Architecture, b.Architecture, "amd64", "arm64"); c != 0 {
		return c
	}
	if c := strings.Compare(b.Variant, a.Variant); c != 0 {
		return c
	}
	return compareVersions(b.OSVersion, a.OSVersion)
}

// Sort sorts ps in place by [Compare], keeping equal platforms in order.
func Sort(ps []ocispec.Platform) {
	slices.SortStableFunc(ps, Compare)
}

// compareRanked puts the values in first ahead, in that order, then the
// rest alphabetically.
func compareRanked(a, b string, first ...string) int {
	return cmp.Or(cmp.Compare(rank(a, first), rank(b, first)), strings.Compare(a, b))
}

func rank(s string, first []string) int {
	if i := slices.Index(first, s); i >= 0 {
		return i
	}
	return len(first)
}

// compareVersions compares dot-separated versions component by component,
// numerically where both components are numbers.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(as), len(bs)) {
		if c := compareComponents(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

func compareComponents(a, b string) int {
	an, aErr := strconv.ParseUint(a, 10, 64)
	bn, bErr := strconv.ParseUint(b, 10, 64)
	if aErr == nil && bErr == nil {
		return cmp.Compare(an, bn)
	}
	return strings.Compare(a, b)
}
