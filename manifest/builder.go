package manifest

import (
	"fmt"
	"hash/maphash"
)

// builder adds entries to a manifest one by one, as bashbrew's AddEntry
// does, but with indexes so that a file of any size is checked in linear
// time. Entries are decoded in place, in the manifest's own slice.
type builder struct {
	m *Manifest
	d *diag
	// bySource maps a source hash to 1 + the index of the last entry with
	// it; nextSource[i] chains entry i to the previous one with its hash.
	bySource   map[uint64]int32
	nextSource []int32
	seed       maphash.Seed
	// the hash of the global paragraph's ArchValues, shared by most entries
	globalArchHash   uint64
	globalArchHashed bool
	paragraphs       int32           // entries seen so far, merged or not
	inherited        map[string]bool // problems of inherited values, reported once
}

// newBuilder sizes everything for n entries of about four tags each.
func newBuilder(m *Manifest, d *diag, n int) *builder {
	m.Entries = make([]Entry, 0, n)
	m.tags = make(map[string]tagRef, 4*n)
	return &builder{
		m:          m,
		d:          d,
		bySource:   make(map[uint64]int32, n),
		nextSource: make([]int32, 0, n),
		seed:       maphash.MakeSeed(),
		inherited:  make(map[string]bool),
	}
}

// next returns a new entry that inherits the global paragraph, to be
// decoded and then given to add. It lives in the manifest's slice, which
// has room for every paragraph, so the pointer stays valid.
func (b *builder) next() *Entry {
	b.m.Entries = append(b.m.Entries, b.m.Global.inherit())
	return &b.m.Entries[len(b.m.Entries)-1]
}

// add validates e, the entry next returned, against itself and the
// entries before it. It then keeps e, or merges its tags into an earlier
// entry with the same build artifacts (as bashbrew does) and drops it.
func (b *builder) add(e *Entry) {
	b.paragraphs++
	who := entryName{e}
	b.checkFields(e, who)
	if len(e.Tags) == 0 {
		b.d.errorf(e.line, `entry has no Tags; every entry needs a line such as "Tags: 1.2.3, 1.2, latest"`)
		b.m.Entries = b.m.Entries[:len(b.m.Entries)-1]
		return
	}
	e.SharedTags = unique(e.SharedTags)
	cleanDirectories(e)

	self := len(b.m.Entries) - 1
	h := b.sourceHash(e)
	target := b.sameSourceAs(h, e, self)
	b.indexTags(e, who, target)
	if target == self {
		b.nextSource = append(b.nextSource, b.bySource[h])
		b.bySource[h] = int32(self) + 1
		return
	}
	t := &b.m.Entries[target]
	t.Tags = append(t.Tags, e.Tags...)
	t.SharedTags = unique(append(t.SharedTags, e.SharedTags...))
	b.m.Entries = b.m.Entries[:self]
}

// indexTags records the tags of e, which ends up at index target, and
// reports those that clash with each other or with earlier entries. Two
// entries may share a SharedTags value: that is what shared tags are for.
func (b *builder) indexTags(e *Entry, who fmt.Stringer, target int) {
	tags, line := b.m.tags, int(e.lines[keyTags])
	for _, t := range e.Tags {
		ref := tags[t]
		switch {
		case ref.para == b.paragraphs && ref.tag > 0:
			b.d.errorf(line, "%s: tag %q is listed twice", who, t)
		case ref.tag > 0:
			o := &b.m.Entries[ref.tag-1]
			b.d.errorf(line, "%s: duplicate tag %q, already in Tags %q on line %d", who, t, o.TagsString(), o.line)
		default:
			ref.tag, ref.para = int32(target)+1, b.paragraphs
			tags[t] = ref
		}
		if ref.shared > 0 {
			o := &b.m.Entries[ref.shared-1]
			b.d.errorf(line, "%s: tag %q conflicts with the shared tag of Tags %q on line %d", who, t, o.TagsString(), o.line)
		}
	}
	line = int(e.lines[keySharedTags])
	for _, t := range e.SharedTags {
		ref := tags[t]
		switch {
		case ref.para == b.paragraphs && ref.tag > 0:
			b.d.errorf(line, "%s: tag %q is in both Tags and SharedTags", who, t)
		case ref.tag > 0:
			o := &b.m.Entries[ref.tag-1]
			b.d.errorf(line, "%s: shared tag %q conflicts with a tag of Tags %q on line %d", who, t, o.TagsString(), o.line)
		}
		if ref.shared == 0 {
			ref.shared = int32(target) + 1
			tags[t] = ref
		}
	}
}
