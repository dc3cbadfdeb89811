package dockerfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Error is a problem at one line of a Dockerfile. Every error [Parse]
// returns is an *Error, except the one for an [Options.Target] that names no
// stage. When the problem was found by BuildKit's parser, Err wraps
// BuildKit's error, so errors.As still reaches types such as
// *instructions.UnknownInstructionError.
type Error struct {
	Line int   // 1-based line of the instruction at fault
	Err  error // what is wrong
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error {
	return e.Err
}

func errorf(line int, format string, args ...any) error {
	return &Error{Line: line, Err: fmt.Errorf(format, args...)}
}

// parserError gives an error of parser.Parse its line. The parser records
// the line of a bad parser directive 0-based and every other line 1-based;
// an error with no line at all is put on line 1, where directives live.
func parserError(err error) error {
	line := 0
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
		if isDirectiveError(err) {
			line++
		}
	}
	return &Error{Line: max(line, 1), Err: err}
}

// isDirectiveError reports whether err is one of the two errors the parser
// raises for a "# escape=" or "# syntax=" line.
func isDirectiveError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "invalid escape token") ||
		(strings.HasPrefix(msg, "only one ") && strings.HasSuffix(msg, " parser directive can be used"))
}

// firstLine is the line a BuildKit location starts on.
func firstLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 1
	}
	return loc[0].Start.Line
}
