package manifest

import (
	"fmt"
	"strings"
)

// maxErrors bounds how many problems one file reports, so that a binary
// file does not bury the terminal; the last line says how many were left out.
const maxErrors = 50

// Error is one problem in a library file. Parse returns every problem of a
// file as an [ErrorList]; [Manifest.Warnings] holds the ones that do not stop
// the file from being used.
type Error struct {
	File string // the file as it was named to the parser, such as "library/golang"
	Line int    // 1-based line of the offending text; 0 when it concerns the whole file
	Msg  string // what is wrong and, where it helps, what would be right
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrorList is every problem found in one file, in the order found.
// Use errors.As to get it from the error Parse returns.
type ErrorList []*Error

func (l ErrorList) Error() string {
	lines := make([]string, 0, min(len(l), maxErrors)+1)
	for i, e := range l {
		if i == maxErrors {
			lines = append(lines, fmt.Sprintf("%s: ... and %d more problems", e.File, len(l)-maxErrors))
			break
		}
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As reach each *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// diag collects the problems of one file.
type diag struct {
	file     string
	errs     ErrorList
	warnings ErrorList
}

func (d *diag) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (d *diag) warnf(line int, format string, args ...any) {
	d.warnings = append(d.warnings, &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// quoteLine shows raw input safely: quoted, non-printable bytes escaped, and
// cut short when it is long.
func quoteLine(s string) string {
	const max = 80
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
