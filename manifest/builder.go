package manifest

import (
	"fmt"
	"path"
	"strings"
)

// builder adds entries to a manifest one by one, as bashbrew's AddEntry
// does, but with indexes so that a file of any size is checked in linear
// time.
type builder struct {
	m         *Manifest
	d         *diag
	bySource  map[string]int // sourceKey → index of the entry with those build artifacts
	inherited map[string]bool
}

func newBuilder(m *Manifest, d *diag) *builder {
	m.tagIndex = make(map[string]int)
	m.sharedIndex = make(map[string]int)
	return &builder{m: m, d: d, bySource: make(map[string]int), inherited: make(map[string]bool)}
}

// add validates e against itself and the entries before it, then merges
// it into an entry with the same build artifacts or appends it.
func (b *builder) add(e Entry) {
	who := "entry"
	if len(e.Tags) > 0 {
		who = fmt.Sprintf("Tags %q", e.TagsString())
	}
	b.checkFields(&e, who)
	if len(e.Tags) == 0 {
		b.d.errorf(e.line, `entry has no Tags; every entry needs a line such as "Tags: 1.2.3, 1.2, latest"`)
		return
	}
	e.SharedTags = unique(e.SharedTags)
	cleanDirectories(&e)
	b.checkTags(&e, who)
	b.insert(e)
}

// checkFields checks the values bashbrew checks for each entry.
func (b *builder) checkFields(e *Entry, who string) {
	if e.GitFetch != "" && !validFetch(e.GitFetch) {
		b.fieldErrorf(e, keyGitFetch, who, "invalid GitFetch %q; want %s", e.GitFetch, fetchFormat)
	}
	switch {
	case e.GitCommit == "":
		b.d.errorf(e.line, "%s: missing GitCommit; want %s", who, commitFormat)
	case !validCommit(e.GitCommit):
		b.fieldErrorf(e, keyGitCommit, who, "invalid GitCommit %q; want %s", e.GitCommit, commitFormat)
	}
	if e.GitRepo == "" {
		b.d.errorf(e.line, "%s: missing GitRepo; want the URL of the git repository holding the Dockerfile", who)
	}
	if e.GitFetch == "" {
		b.fieldErrorf(e, keyGitFetch, who, "empty GitFetch; want %s, or no GitFetch line for the default refs/heads/master", fetchFormat)
	}
	if e.lines[keyMaintainers] >= e.line { // added by the entry to the global ones
		checkMaintainers(e.Maintainers[len(b.m.Global.Maintainers):], e.lines[keyMaintainers], b.d)
	}
	for _, k := range []key{keyTags, keySharedTags} {
		for _, t := range *e.list(k) {
			if !validTag(t) {
				b.fieldErrorf(e, k, who, "invalid tag %q; want %s", t, tagFormat)
			}
		}
	}
	if e.lines[keyArchitectures] >= e.line {
		checkArches(who, e.Architectures, e.lines[keyArchitectures], b.d)
	}
}

// fieldErrorf reports a bad value at the line where it was written. A bad
// value inherited from the global paragraph is reported once, there.
func (b *builder) fieldErrorf(e *Entry, k key, who, format string, args ...any) {
	line := e.lines[k]
	if line == 0 {
		line = e.line
	}
	msg := fmt.Sprintf(format, args...)
	if line < e.line {
		if b.inherited[msg] {
			return
		}
		b.inherited[msg] = true
		b.d.errorf(line, "%s (in the global paragraph, inherited by %s)", msg, who)
		return
	}
	b.d.errorf(line, "%s: %s", who, msg)
}

// checkTags reports tags that clash with each other or with earlier entries.
// Two entries may share a SharedTags value: that is what shared tags are for.
func (b *builder) checkTags(e *Entry, who string) {
	line := e.lines[keyTags]
	seen := make(map[string]bool, len(e.Tags)+len(e.SharedTags))
	for _, t := range e.Tags {
		if i, ok := b.m.tagIndex[t]; ok {
			b.d.errorf(line, "%s: duplicate tag %q, already in Tags %q on line %d", who, t, b.m.Entries[i].TagsString(), b.m.Entries[i].line)
		}
		if i, ok := b.m.sharedIndex[t]; ok {
			b.d.errorf(line, "%s: tag %q conflicts with the shared tag of Tags %q on line %d", who, t, b.m.Entries[i].TagsString(), b.m.Entries[i].line)
		}
		if seen[t] {
			b.d.errorf(line, "%s: tag %q is listed twice", who, t)
		}
		seen[t] = true
	}
	sharedLine := e.lines[keySharedTags]
	for _, t := range e.SharedTags {
		if i, ok := b.m.tagIndex[t]; ok {
			b.d.errorf(sharedLine, "%s: shared tag %q conflicts with a tag of Tags %q on line %d", who, t, b.m.Entries[i].TagsString(), b.m.Entries[i].line)
		}
		if seen[t] {
			b.d.errorf(sharedLine, "%s: tag %q is in both Tags and SharedTags", who, t)
		}
		seen[t] = true
	}
}

// insert merges e into an earlier entry with the same build artifacts (as
// bashbrew does: their tags combine) or appends it.
func (b *builder) insert(e Entry) {
	m := b.m
	key := sourceKey(&e)
	i, merge := b.bySource[key]
	if merge {
		m.Entries[i].Tags = append(m.Entries[i].Tags, e.Tags...)
		m.Entries[i].SharedTags = unique(append(m.Entries[i].SharedTags, e.SharedTags...))
	} else {
		i = len(m.Entries)
		b.bySource[key] = i
		m.Entries = append(m.Entries, e)
	}
	for _, t := range e.Tags {
		m.tagIndex[t] = i
	}
	for _, t := range e.SharedTags {
		if _, ok := m.sharedIndex[t]; !ok {
			m.sharedIndex[t] = i
		}
	}
}

// sourceKey identifies what bashbrew calls SameBuildArtifacts: entries with
// equal keys build the same images and are merged.
func sourceKey(e *Entry) string {
	var sb strings.Builder
	for _, s := range []string{e.ArchitecturesString(), e.GitRepo, e.GitFetch, e.GitCommit, e.Directory, e.File, e.Builder, e.ConstraintsString()} {
		sb.WriteString(s)
		sb.WriteByte(0)
	}
	for _, k := range e.archFields() {
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(e.ArchValues[k])
		sb.WriteByte(0)
	}
	return sb.String()
}

// cleanDirectories applies path.Clean to Directory and every ARCH-Directory.
func cleanDirectories(e *Entry) {
	e.Directory = path.Clean(e.Directory)
	for k, v := range e.ArchValues {
		if v != "" && strings.HasSuffix(k, "-Directory") {
			e.ArchValues[k] = path.Clean(v)
		}
	}
}

// unique removes repeated values, keeping the first of each.
func unique(list []string) []string {
	if len(list) < 2 {
		return list
	}
	out := list[:0:0]
	seen := make(map[string]bool, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
