package scheduler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// TagConflict is a tag, in practice a shared tag, that jobs of different
// entries would both give the same architecture: its index can hold one
// image per platform, so it cannot be published. Windows is not checked:
// a shared tag holds one windows-amd64 image per Windows version, which
// only the images tell apart.
type TagConflict struct {
	Repo, Tag string // the tag, as "Repo:Tag"
	Arch      string
	// Entries are the entries whose jobs give it Arch, in library order:
	// two or more, each with a job of its own.
	Entries []Origin
}

// Error says what is wrong and what would be right, from the last entry,
// as the manifest package reports a tag given twice:
//
//	library/foo:12: Tags "3": shared tag foo:latest would get a second amd64 image: ...
func (c TagConflict) Error() string {
	last := c.Entries[len(c.Entries)-1]
	kind := "tag"
	if slices.Contains(last.SharedTags, c.Tag) {
		kind = "shared tag"
	}
	var others []string
	for _, o := range c.Entries[:len(c.Entries)-1] {
		others = append(others, fmt.Sprintf("%s:%d (Tags %q)", o.File, o.Line, strings.Join(o.Tags, ", ")))
	}
	return fmt.Sprintf("%s:%d: Tags %q: %s %s:%s would get a second %s image: the entry at %s gives it one, built from another source; "+
		"an index holds one image per platform, so give %s:%s to one of these entries only for %s "+
		"(drop %s from the others' Architectures, or %s from their SharedTags)",
		last.File, last.Line, strings.Join(last.Tags, ", "), kind, c.Repo, c.Tag, c.Arch, strings.Join(others, " and "),
		c.Repo, c.Tag, c.Arch, c.Arch, c.Tag)
}

// TagConflicts returns the tags that jobs of different entries give the
// same architecture, in the order of jobs (so, of a plan, library
// order). A job that several entries share (the same source) gives a tag
// one image, whichever entries name it. This is the rule by which
// package builder/publish refuses to write such an index.
func TagConflicts(jobs []*Job) []TagConflict {
	type given struct {
		conflict *TagConflict
		jobs     []*Job
	}
	byKey := map[string]*given{}
	var keys []string
	for _, j := range jobs {
		if strings.HasPrefix(j.Arch, "windows-") {
			continue
		}
		for _, o := range j.Origins {
			for _, tag := range append(append([]string(nil), o.Tags...), o.SharedTags...) {
				key := o.Repo + ":" + tag + "\x00" + j.Arch
				g, ok := byKey[key]
				if !ok {
					g = &given{conflict: &TagConflict{Repo: o.Repo, Tag: tag, Arch: j.Arch}}
					byKey[key] = g
					keys = append(keys, key)
				}
				if !slices.Contains(g.jobs, j) {
					g.jobs = append(g.jobs, j)
					g.conflict.Entries = append(g.conflict.Entries, o)
				}
			}
		}
	}
	var out []TagConflict
	for _, k := range keys {
		if g := byKey[k]; len(g.jobs) > 1 {
			slices.SortStableFunc(g.conflict.Entries, func(a, b Origin) int { return cmp.Compare(a.Line, b.Line) })
			out = append(out, *g.conflict)
		}
	}
	return out
}
