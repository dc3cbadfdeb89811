package imagediff

import (
	"archive/tar"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// layerResult is what comparing the entries of two layers found.
type layerResult struct {
	rows  []FileDiff             // sorted by path
	norms map[Normalization]bool // the normalizations seen
}

// diffFiles compares the entries of layer index of both images.
func diffFiles(index int, pub, reb layerFiles) layerResult {
	res := layerResult{norms: map[Normalization]bool{}}
	keys := make([]string, 0, len(pub)+len(reb))
	for k := range pub {
		keys = append(keys, k)
	}
	for k := range reb {
		if _, ok := pub[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		p, r := pub[k], reb[k]
		if row, ok := diffEntry(index, k, p, r); ok {
			res.rows = append(res.rows, row)
			continue
		}
		if p.times != r.times {
			res.norms[Timestamps] = true
		}
		if p.encoding != r.encoding {
			res.norms[TarFormat] = true
		}
	}
	if len(res.rows) == 0 && reordered(pub, reb) {
		res.norms[TarEntryOrder] = true
	}
	return res
}

// diffEntry is the row of key when its entries p and r (nil: absent)
// differ beyond timestamps and tar encoding.
func diffEntry(index int, key string, p, r *entry) (FileDiff, bool) {
	row := FileDiff{Layer: index, Path: key}
	row.PublishedSHA256, row.PublishedSize = content(p)
	row.RebuiltSHA256, row.RebuiltSize = content(r)
	var notes []string
	switch {
	case p == nil:
		row.Change, notes = Added, []string{describe(key, r)}
	case r == nil:
		row.Change, notes = Removed, []string{describe(key, p)}
	default:
		row.Change, notes = changes(p, r)
		if row.Change == "" {
			return row, false
		}
	}
	if why := unsafeOf(p, r); why != "" {
		row.Change = UnsafePath
		notes = append([]string{why}, notes...)
	}
	row.Note = strings.Join(slices.DeleteFunc(notes, func(s string) bool { return s == "" }), "; ")
	return row, true
}

// changes are the attributes that differ between p and r: the most
// significant, and both values of each.
func changes(p, r *entry) (Change, []string) {
	var first Change
	var notes []string
	add := func(c Change, differ bool, what string, pv, rv any) {
		if !differ {
			return
		}
		if first == "" {
			first = c
		}
		notes = append(notes, fmt.Sprintf("%s %v -> %v", what, pv, rv))
	}
	add(TypeChange, p.typ != r.typ, "type", typeName(p.typ), typeName(r.typ))
	add(Content, p.size != r.size || p.sum != r.sum, "content", p.size, r.size)
	add(LinkTarget, p.link != r.link, "target", quote(p.link), quote(r.link))
	add(Mode, p.mode != r.mode, "mode", fmt.Sprintf("%04o", p.mode), fmt.Sprintf("%04o", r.mode))
	add(Owner, p.uid != r.uid || p.gid != r.gid, "owner", fmt.Sprintf("%d:%d", p.uid, p.gid), fmt.Sprintf("%d:%d", r.uid, r.gid))
	add(Xattrs, p.xattrs != r.xattrs, "xattrs", quote(p.xattrs), quote(r.xattrs))
	add(Device, p.major != r.major || p.minor != r.minor, "device", fmt.Sprintf("%d,%d", p.major, p.minor), fmt.Sprintf("%d,%d", r.major, r.minor))
	return first, notes
}

// unsafeOf says why either side's path escapes the root, if it does.
func unsafeOf(p, r *entry) string {
	for _, e := range []*entry{p, r} {
		if e != nil && e.unsafe != "" {
			return "unsafe path: " + e.unsafe
		}
	}
	return ""
}

// reordered says whether the entries of both layers, the same paths,
// come in a different order.
func reordered(pub, reb layerFiles) bool {
	keys := make([]string, 0, len(pub))
	for k := range pub {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return pub[a].seq - pub[b].seq })
	for i := 1; i < len(keys); i++ {
		if reb[keys[i-1]].seq > reb[keys[i]].seq {
			return true
		}
	}
	return false
}

func content(e *entry) (string, int64) {
	if e == nil || e.typ != tar.TypeReg {
		return "", 0
	}
	return hex.EncodeToString(e.sum[:]), e.size
}

// describe is a note on the entry of key only one side has.
func describe(key string, e *entry) string {
	if wh := whiteout(key); wh != "" {
		return wh
	}
	return typeName(e.typ)
}

func typeName(t byte) string {
	switch t {
	case tar.TypeReg:
		return "file"
	case tar.TypeDir:
		return "directory"
	case tar.TypeSymlink:
		return "symlink"
	case tar.TypeLink:
		return "hardlink"
	case tar.TypeChar:
		return "char device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("type %q", t)
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
