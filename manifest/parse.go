package manifest

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/brewkit/brewkit/platforms"
)

// Parse reads one library file and returns its manifest. name is how
// problems refer to the file, such as "library/golang".
//
// The result is what bashbrew would produce for the same input. Where
// bashbrew stops at the first problem, Parse reports every problem of the
// file, each with its line, as an [ErrorList]; a nil error means the
// manifest is valid. Problems that bashbrew lets pass silently and that do
// not change the result (unknown fields, a key set twice) are kept in
// [Manifest.Warnings].
func Parse(name string, r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return ParseString(name, string(data))
}

// ParseString is [Parse] for text already in memory.
func ParseString(name, text string) (*Manifest, error) {
	d := &diag{file: name}
	paras := splitParagraphs(text, d)
	if len(paras) == 0 {
		if len(d.errs) == 0 {
			d.errorf(0, `empty manifest; a library file starts with a global paragraph such as "Maintainers: Jane Doe <jane@example.com> (@jane)"`)
		}
		return nil, d.errs
	}

	m := &Manifest{Global: parseGlobal(paras[0], d)}
	m.Global.archDirsClean = archDirsClean(m.Global.ArchValues)
	b := newBuilder(m, d, len(paras)-1)
	for _, p := range paras[1:] {
		e := b.next()
		decode(e, p, d)
		b.add(e)
	}
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	m.Warnings = d.warnings
	return m, nil
}

func parseGlobal(p paragraph, d *diag) Entry {
	g := DefaultEntry()
	decode(&g, p, d)
	if len(g.Maintainers) == 0 {
		d.errorf(p.line, `missing Maintainers in the global paragraph; want at least one %s`, maintainerFormat)
	}
	checkMaintainers(g.Maintainers, int(g.lines[keyMaintainers]), d)
	if len(g.Tags) > 0 {
		d.errorf(int(g.lines[keyTags]), "Tags are not permitted in the global paragraph, which holds defaults for the entries; put them in an entry (paragraphs are separated by an empty line)")
	}
	checkArches("global paragraph", g.Architectures, int(g.lines[keyArchitectures]), d)
	return g
}

func archDirsClean(values map[string]string) bool {
	for k, v := range values {
		if v != "" && strings.HasSuffix(k, "-Directory") && path.Clean(v) != v {
			return false
		}
	}
	return true
}

func checkMaintainers(list []string, line int, d *diag) {
	for _, m := range list {
		if !validMaintainer(m) {
			d.errorf(line, "invalid maintainer %q; want %s", m, maintainerFormat)
		}
	}
}

func checkArches(who any, arches []string, line int, d *diag) {
	for _, a := range arches {
		if !platforms.IsKnown(a) {
			d.errorf(line, "%v: unknown architecture %q in Architectures; known: %s", who, a, strings.Join(platforms.Names(), ", "))
		}
	}
}
