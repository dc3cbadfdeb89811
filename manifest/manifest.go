package manifest

import "strings"

// Manifest is a parsed library file: the global paragraph and the entries
// after it, with inheritance applied and entries with identical build
// artifacts merged. Create one with [Parse].
type Manifest struct {
	Global  Entry
	Entries []Entry

	// Warnings are problems that bashbrew lets pass and that do not change
	// the result, such as an unknown field; printing them is up to the caller.
	Warnings []*Error

	tags map[string]tagRef // every tag and shared tag of the file
}

// tagRef locates a tag: 1 + the index in Entries of the entry whose Tags
// hold it, and of the first entry whose SharedTags hold it (0: none).
type tagRef struct {
	tag, shared int32
	para        int32 // the paragraph that added tag, to tell a tag repeated in one entry
}

// GetTag returns the entry whose Tags hold tag, or nil.
func (m *Manifest) GetTag(tag string) *Entry {
	if m.tags != nil {
		if ref := m.tags[tag]; ref.tag > 0 {
			return &m.Entries[ref.tag-1]
		}
		return nil
	}
	for i := range m.Entries {
		if m.Entries[i].HasTag(tag) {
			return &m.Entries[i]
		}
	}
	return nil
}

// GetSharedTag returns the entries whose SharedTags hold tag, in file order.
func (m *Manifest) GetSharedTag(tag string) []*Entry {
	var out []*Entry
	for i := range m.Entries {
		if m.Entries[i].HasSharedTag(tag) {
			out = append(out, &m.Entries[i])
		}
	}
	return out
}

// GetAllSharedTags returns every shared tag of the file once, in the order
// they first appear.
func (m *Manifest) GetAllSharedTags() []string {
	var all []string
	for i := range m.Entries {
		all = append(all, m.Entries[i].SharedTags...)
	}
	return unique(all)
}

// SharedTagGroup is a set of shared tags carried by exactly the same
// entries: one multi-platform index is published under all of them.
type SharedTagGroup struct {
	SharedTags []string
	Entries    []*Entry
}

// GetSharedTagGroups groups the shared tags by the entries that carry them,
// in file order, as bashbrew does.
func (m *Manifest) GetSharedTagGroups() []SharedTagGroup {
	var groups []SharedTagGroup
	byKey := map[string]int{}
	for _, tag := range m.GetAllSharedTags() {
		entries := m.GetSharedTag(tag)
		firsts := make([]string, len(entries))
		for i, e := range entries {
			firsts[i] = e.Tags[0]
		}
		key := strings.Join(firsts, ",")
		i, ok := byKey[key]
		if !ok {
			i = len(groups)
			byKey[key] = i
			groups = append(groups, SharedTagGroup{Entries: entries})
		}
		groups[i].SharedTags = append(groups[i].SharedTags, tag)
	}
	return groups
}
