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
// Unlike bashbrew, a line of only blanks is an error (bashbrew silently
// makes it a continuation, which glues two paragraphs together), so is a
// continuation with no field before it, and so is a line with no ':'.
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
			d.errorf(lineNo, "line holds only blanks (%s); paragraphs are separated by an empty line, so delete the blanks", quoteLine(line))
			end()
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
