package manifest

import (
	"slices"
	"strings"

	"github.com/brewkit/brewkit/platforms"
)

// decode applies paragraph p to e, which starts as a copy of what it
// inherits (the defaults for the global paragraph, the global paragraph for
// an entry). It reproduces bashbrew's decoder exactly:
//
//   - list fields are split at ',' and each item trimmed of "\n\r\t ";
//   - Maintainers, Tags and Constraints append to the inherited values,
//     while SharedTags and Architectures replace them when set;
//   - Architectures are then de-duplicated and sorted;
//   - string fields replace the inherited value;
//   - when a key appears twice, the last line wins.
//
// Unknown keys are ignored with a warning (bashbrew ignores them silently).
func decode(e *Entry, p paragraph, d *diag) {
	e.line = p.line
	inheritedShared, inheritedArches := e.SharedTags, e.Architectures
	e.SharedTags, e.Architectures = nil, nil

	last := lastIndexOfKey(p.fields)
	for i, f := range p.fields {
		if later := last(f.key); later != i {
			d.warnf(f.line, "field %q is set again on line %d, which wins; this line is ignored", f.key, p.fields[later].line)
			continue
		}
		setField(e, f, d)
	}

	if len(e.SharedTags) == 0 {
		e.SharedTags = inheritedShared
	}
	if len(e.Architectures) == 0 {
		e.Architectures = inheritedArches // already sorted and unique
	} else {
		e.Architectures = sortedUnique(e.Architectures) // the entry's own list
	}
}

func setField(e *Entry, f field, d *diag) {
	if k, ok := lookupKey(f.key); ok {
		e.lines[k] = int32(f.line)
		if l := e.list(k); l != nil {
			if items := splitList(f.value); len(*l) == 0 {
				*l = items
			} else {
				*l = append(*l, items...) // an inherited list: clipped, so this copies
			}
		} else {
			*e.str(k) = f.value
		}
		return
	}
	if arch, _, ok := splitArchKey(f.key); ok {
		if !platforms.IsKnown(arch) {
			d.warnf(f.line, "field %q overrides an unknown architecture %q; known: %s", f.key, arch, strings.Join(platforms.Names(), ", "))
		}
		e.setArchValue(f.key, f.value)
		return
	}
	d.warnf(f.line, "unknown field %q is ignored; field names are case-sensitive: %s", f.key, knownFields)
}

// lastIndexOfKey returns a function that gives the index of the last field
// with a key. Paragraphs are short, so a scan is cheapest; a long one
// (garbage input) gets a map so that the work stays linear.
func lastIndexOfKey(fields []field) func(k string) int {
	if len(fields) > 32 {
		last := make(map[string]int, len(fields))
		for i, f := range fields {
			last[f.key] = i
		}
		return func(k string) int { return last[k] }
	}
	return func(k string) int {
		for i := len(fields) - 1; i >= 0; i-- {
			if fields[i].key == k {
				return i
			}
		}
		return -1
	}
}

// splitList splits a list value the way bashbrew's decoder does: at every
// ',' with each item trimmed, so "a, b," is ["a" "b" ""].
func splitList(v string) []string {
	items := strings.Split(v, ",")
	for i, item := range items {
		items[i] = strings.Trim(item, "\n\r\t ")
	}
	return items
}

// sortedUnique sorts list in place and drops repeated values.
func sortedUnique(list []string) []string {
	slices.Sort(list)
	return slices.Compact(list)
}
