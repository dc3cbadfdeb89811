package manifest

import (
	"slices"
	"strings"
)

// Separator joins list values in the canonical text form ("a, b, c").
const Separator = ", "

// Entry is one paragraph of a library file after inheritance from the
// global paragraph: the images built from one source, under some tags.
//
// The exported fields and methods are the data model of bashbrew's
// templates (bashbrew cat --format), so existing scripts keep working.
type Entry struct {
	Maintainers   []string
	Tags          []string
	SharedTags    []string
	Architectures []string

	GitRepo   string
	GitFetch  string
	GitCommit string
	Directory string
	File      string
	Builder   string

	// ArchValues holds the per-architecture overrides, keyed as written:
	// "arm64v8-GitCommit", "s390x-Directory", and so on.
	ArchValues map[string]string

	Constraints []string

	line       int            // first line of the paragraph
	lines      [numKeys]int32 // line where each field's value was written (maybe the global paragraph)
	sharedArch bool           // ArchValues belongs to the global paragraph: copy before writing
	// archDirsClean: every ARCH-Directory value is path.Clean; set on the
	// global paragraph so that entries sharing its values need not check.
	archDirsClean bool
}

// DefaultEntry returns the values an entry has when neither it nor the
// global paragraph sets them.
func DefaultEntry() Entry {
	return Entry{
		Architectures: []string{"amd64"},
		GitFetch:      "refs/heads/master",
		Directory:     ".",
		File:          "Dockerfile",
	}
}

// Line is the line on which the entry's paragraph starts.
func (e Entry) Line() int { return e.line }

// setHere reports whether the entry's own paragraph set field k.
func (e *Entry) setHere(k key) bool { return int(e.lines[k]) >= e.line }

// Clone returns a deep copy of e.
func (e Entry) Clone() Entry {
	e.Maintainers = slices.Clone(e.Maintainers)
	e.Tags = slices.Clone(e.Tags)
	e.SharedTags = slices.Clone(e.SharedTags)
	e.Architectures = slices.Clone(e.Architectures)
	e.Constraints = slices.Clone(e.Constraints)
	if e.ArchValues != nil {
		m := make(map[string]string, len(e.ArchValues))
		for k, v := range e.ArchValues {
			m[k] = v
		}
		e.ArchValues = m
	}
	e.sharedArch = false
	return e
}

// inherit returns the starting point of an entry below the global paragraph
// g. Instead of copying g's lists and per-architecture values it shares
// them: the lists are clipped, so that appending to them copies, and
// ArchValues is copied before the first write (see setArchValue). Parsing
// a large file would otherwise spend most of its time copying the global
// paragraph.
func (g *Entry) inherit() Entry {
	e := *g
	e.Maintainers = slices.Clip(e.Maintainers)
	e.Tags = nil // global Tags are an error, reported once
	e.SharedTags = slices.Clip(e.SharedTags)
	e.Architectures = slices.Clip(e.Architectures)
	e.Constraints = slices.Clip(e.Constraints)
	e.sharedArch = true
	return e
}

// setArchValue sets a per-architecture value, copying a shared map first.
func (e *Entry) setArchValue(k, v string) {
	if e.ArchValues == nil || e.sharedArch {
		m := make(map[string]string, len(e.ArchValues)+1)
		for k, v := range e.ArchValues {
			m[k] = v
		}
		e.ArchValues, e.sharedArch = m, false
	}
	e.ArchValues[k] = v
}

// MaintainersString is Maintainers joined with [Separator].
func (e Entry) MaintainersString() string { return strings.Join(e.Maintainers, Separator) }

// TagsString is Tags joined with [Separator].
func (e Entry) TagsString() string { return strings.Join(e.Tags, Separator) }

// SharedTagsString is SharedTags joined with [Separator].
func (e Entry) SharedTagsString() string { return strings.Join(e.SharedTags, Separator) }

// ArchitecturesString is Architectures joined with [Separator].
func (e Entry) ArchitecturesString() string { return strings.Join(e.Architectures, Separator) }

// ConstraintsString is Constraints joined with [Separator].
func (e Entry) ConstraintsString() string { return strings.Join(e.Constraints, Separator) }

// HasTag reports whether tag is one of the entry's Tags.
func (e Entry) HasTag(tag string) bool { return slices.Contains(e.Tags, tag) }

// HasSharedTag reports whether tag is one of the entry's SharedTags.
func (e Entry) HasSharedTag(tag string) bool { return slices.Contains(e.SharedTags, tag) }

// HasArchitecture reports whether the entry builds for arch.
func (e Entry) HasArchitecture(arch string) bool { return slices.Contains(e.Architectures, arch) }

// archFields returns the keys of the non-empty per-architecture values,
// sorted bytewise.
func (e Entry) archFields() []string {
	keys := make([]string, 0, len(e.ArchValues))
	for k, v := range e.ArchValues {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// FieldLine returns the line on which field (such as "Tags", "SharedTags",
// "Architectures" or "Constraints") got its value: in the entry's own
// paragraph, or in the global paragraph when the entry inherits it. It is
// the entry's first line when neither set the field, or field is not one
// of the format's fields.
func (e Entry) FieldLine(field string) int {
	if k, ok := lookupKey(field); ok && e.lines[k] > 0 {
		return int(e.lines[k])
	}
	return e.line
}
