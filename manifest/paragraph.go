package manifest

import (
	"strings"
	"unicode"
)

// field is one "Key: value" of a paragraph, with its continuation lines
// already folded into the value.
type field struct {
	key   string
	value string
	line  int
}

// paragraph is a run of field lines ended by an empty line or the end of
// the file.
type paragraph struct {
	line   int // line of the first field
	start  int // index of the first field in the file's slab, while splitting
	fields []field
}

// splitParagraphs is the lexical layer of the library format. It follows
// bashbrew (a comment stripper in front of Debian's control-file reader):
//
//   - a line whose first non-blank character is '#' is dropped entirely;
//   - an empty line ("" or "\r") ends the paragraph;
//   - a line starting with a space or a tab continues the previous field:
//     its first character is removed, its right end trimmed, and it is
//     appended with a newline (a lone "." stands for an empty line);
//   - any other line is "Key: value", split at the first ':' and trimmed.
//
// Unlike bashbrew, a line of only blanks between two fields is an error
// (bashbrew silently makes it a continuation, which glues two paragraphs
// together; see blankLine), so is a continuation with no field before it,
// and so is a line with no ':'.
// The text is sliced, not copied, so splitting is linear and cheap.
func splitParagraphs(text string, d *diag) []paragraph {
	text = strings.TrimPrefix(text, "\ufeff")
	// Every field goes into one slab, sized by the line count, and each
	// paragraph is a window of it: two allocations for any file size.
	slab := make([]field, 0, strings.Count(text, "\n")+1)
	var (
		paras []paragraph
		open  bool
	)
	end := func() {
		if open {
			p := &paras[len(paras)-1]
			p.fields = slab[p.start:len(slab):len(slab)]
		}
		open = false
	}
	for lineNo := 1; len(text) > 0; lineNo++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		switch {
		case line == "" || line == "\r":
			end()
		case isComment(line):
			// dropped; it neither ends nor continues anything
		case strings.TrimSpace(line) == "":
			blankLine(lineNo, line, text, open, slab, d)
			if open && startsField(text) {
				end() // it was meant as a separator
			}
		case line[0] == ' ' || line[0] == '\t':
			if !open {
				d.errorf(lineNo, "continuation line %s has no field before it; indented lines continue the field above them", quoteLine(line))
				continue
			}
			slab[len(slab)-1].value += continuation(line)
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				d.errorf(lineNo, "line %s has no ':'; want \"Key: value\", an indented continuation line, or an empty line between paragraphs", quoteLine(line))
				continue
			}
			if !open {
				paras = append(paras, paragraph{line: lineNo, start: len(slab)})
				open = true
			}
			slab = append(slab, field{key: strings.TrimSpace(k), value: strings.TrimSpace(v), line: lineNo})
		}
	}
	end()
	return paras
}

// blankLine handles a line of only blanks. bashbrew reads it as a
// continuation line that adds "\n" to the field above; brewkit does the
// same, with a warning, where that is harmless: when an empty line, the end
// of the file or another continuation follows. When a field line follows,
// the author meant an empty line, and bashbrew would silently glue the two
// paragraphs together: that is an error.
func blankLine(lineNo int, line, rest string, open bool, slab []field, d *diag) {
	switch {
	case open && startsField(rest):
		d.errorf(lineNo, "line holds only blanks (%s); paragraphs are separated by an empty line, so delete the blanks", quoteLine(line))
	case open:
		slab[len(slab)-1].value += "\n"
		d.warnf(lineNo, "line holds only blanks (%s); it continues the field above, delete the blanks", quoteLine(line))
	default:
		d.warnf(lineNo, "line holds only blanks (%s) and is ignored; delete the blanks", quoteLine(line))
	}
}

// startsField reports whether the next line of text that is not a comment
// is a field line ("Key: value"), not an empty or continuation line.
func startsField(text string) bool {
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if isComment(line) {
			continue
		}
		return strings.TrimSpace(line) != "" && line[0] != ' ' && line[0] != '\t'
	}
	return false
}

// isComment reports whether the first non-blank character of line is '#'.
func isComment(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "#")
}

// continuation is what a continuation line adds to its field's value.
func continuation(line string) string {
	s := strings.TrimRightFunc(line[1:], unicode.IsSpace)
	if s == "." {
		s = ""
	}
	return s + "\n"
}
