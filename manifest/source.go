package manifest

import (
	"hash/maphash"
	"path"
	"slices"
	"strings"
)

// SameBuildArtifacts reports whether e and o build the same images: same
// architectures, git source, directory, file, builder, constraints and
// per-architecture overrides. The parser merges such entries, as bashbrew
// does.
func (e Entry) SameBuildArtifacts(o Entry) bool { return sameBuildArtifacts(&e, &o) }

func sameBuildArtifacts(a, b *Entry) bool {
	return a.GitRepo == b.GitRepo && a.GitFetch == b.GitFetch && a.GitCommit == b.GitCommit &&
		a.Directory == b.Directory && a.File == b.File && a.Builder == b.Builder &&
		slices.Equal(a.Architectures, b.Architectures) && slices.Equal(a.Constraints, b.Constraints) &&
		sameArchValues(a.ArchValues, b.ArchValues)
}

// sameArchValues compares the non-empty per-architecture values.
func sameArchValues(a, b map[string]string) bool {
	n := 0
	for k, v := range a {
		if v != "" {
			if b[k] != v {
				return false
			}
			n++
		}
	}
	for _, v := range b {
		if v != "" {
			n--
		}
	}
	return n == 0
}

// sameSourceAs returns the index of the first entry before self with the
// same build artifacts as e, whose source hash is h, or self.
func (b *builder) sameSourceAs(h uint64, e *Entry, self int) int {
	for i := b.bySource[h]; i > 0; i = b.nextSource[i-1] {
		if sameBuildArtifacts(&b.m.Entries[i-1], e) {
			return int(i - 1)
		}
	}
	return self
}

// sourceHash hashes what sameBuildArtifacts compares.
func (b *builder) sourceHash(e *Entry) uint64 {
	var h maphash.Hash
	h.SetSeed(b.seed)
	for _, list := range [][]string{{e.GitRepo, e.GitFetch, e.GitCommit, e.Directory, e.File, e.Builder}, e.Architectures, {"\x01"}, e.Constraints} {
		for _, s := range list {
			h.WriteString(s)
			h.WriteByte(0)
		}
	}
	if e.sharedArch { // the global paragraph's values, hashed once
		if !b.globalArchHashed {
			b.globalArchHash, b.globalArchHashed = b.archHash(e.ArchValues), true
		}
		return h.Sum64() + b.globalArchHash
	}
	return h.Sum64() + b.archHash(e.ArchValues)
}

// archHash hashes the non-empty values of m independently of their order.
func (b *builder) archHash(m map[string]string) uint64 {
	var sum uint64
	for k, v := range m {
		if v != "" {
			sum += maphash.String(b.seed, k)*0x9e3779b97f4a7c15 ^ maphash.String(b.seed, v)
		}
	}
	return sum
}

// cleanDirectories applies path.Clean to Directory and every ARCH-Directory.
func cleanDirectories(e *Entry) {
	e.Directory = path.Clean(e.Directory)
	if e.sharedArch && e.archDirsClean {
		return // the global paragraph's values, known to be clean
	}
	for k, v := range e.ArchValues {
		if c := path.Clean(v); v != "" && c != v && strings.HasSuffix(k, "-Directory") {
			e.setArchValue(k, c) // copies a shared map; ranging over the old one is safe
		}
	}
}

// unique removes repeated values, keeping the first of each. The input is
// left alone.
func unique(list []string) []string {
	if len(list) < 2 {
		return list
	}
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
