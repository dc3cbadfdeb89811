package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

// jobError is the error of one job: an entry's source for one arch.
type jobError struct {
	entry string // the entry the error names first, as scheduler.Origin shows it
	arch  string
	err   error
}

// newJobError is err of j, named by its first entry.
func newJobError(j *scheduler.Job, err error) jobError {
	entry := j.String()
	if len(j.Origins) > 0 {
		entry = j.Origins[0].String()
	}
	return jobError{entry: entry, arch: j.Arch, err: err}
}

// foldErrors returns the lines that report errs, each once, in the order
// they first appear:
//
//   - the errors of one entry that differ only in the arch are one line,
//     naming the arches ("<arch>" standing for each in the text):
//     library/foo:3 (foo:1) for amd64, arm64v8: fetching https://example.invalid/repo.git: …
//   - the repeats of a failed fetch (a [gitsource.FetchError] with Repeat
//     set) are one line per repository, with how many jobs they failed:
//     3 jobs not fetched: fetching https://example.invalid/repo.git (not retried: …): …
//
// A line holds the whole error, which may take several lines of text.
func foldErrors(errs []jobError) []string {
	var folds []*fold
	byKey := map[string]*fold{}
	for _, e := range errs {
		key, text := foldKey(e)
		f, ok := byKey[key]
		if !ok {
			f = &fold{entry: e.entry, text: text}
			byKey[key] = f
			folds = append(folds, f)
		}
		if fe := (*gitsource.FetchError)(nil); errors.As(e.err, &fe) && fe.Repeat {
			f.repeats++
		} else {
			f.arches = append(f.arches, e.arch)
		}
	}
	lines := make([]string, 0, len(folds))
	for _, f := range folds {
		lines = append(lines, f.line())
	}
	return lines
}

// fold is the errors that foldErrors reports in one line.
type fold struct {
	entry, text string   // text as foldKey gives it
	arches      []string // of the errors that are not repeats
	repeats     int      // repeated fetches
}

func (f *fold) line() string {
	switch {
	case f.repeats > 0:
		jobs := "jobs"
		if f.repeats == 1 {
			jobs = "job"
		}
		return fmt.Sprintf("%d %s not fetched: %s", f.repeats, jobs, f.text)
	case len(f.arches) == 1 && f.arches[0] == "":
		return f.entry + ": " + f.text
	case len(f.arches) == 1:
		return fmt.Sprintf("%s for %s: %s", f.entry, f.arches[0], strings.ReplaceAll(f.text, "\x00", f.arches[0]))
	}
	return fmt.Sprintf("%s for %s: %s", f.entry, strings.Join(f.arches, ", "), strings.ReplaceAll(f.text, "\x00", "<arch>"))
}

// foldKey is what e is folded by, and its text: for a repeated fetch, the
// repository and the fetch's error; else the entry and the error without
// the "ORIGIN for ARCH: " that the planner puts first, the arch in it
// replaced by NUL.
func foldKey(e jobError) (key, text string) {
	if fe := (*gitsource.FetchError)(nil); errors.As(e.err, &fe) && fe.Repeat {
		return "repeat\x00" + fe.Repo, fe.Error()
	}
	text = strings.TrimPrefix(e.err.Error(), e.entry+" for "+e.arch+": ")
	if e.arch != "" {
		text = strings.ReplaceAll(text, e.arch, "\x00")
	}
	return e.entry + "\x00" + text, text
}

// writeErrors writes the lines of foldErrors(errs) to w, indenting the
// lines of an error after its first.
func writeErrors(w io.Writer, errs []jobError) error {
	for _, l := range foldErrors(errs) {
		lines := strings.Split(strings.TrimSpace(l), "\n")
		for i, line := range lines[1:] {
			if line = strings.TrimSpace(line); line != "" {
				lines[i+1] = "    " + line
			}
		}
		if _, err := fmt.Fprintln(w, strings.Join(lines, "\n")); err != nil {
			return err
		}
	}
	return nil
}

// firstLine is err's text for a table cell: its first line, trimmed, with
// " …" when more follows.
func firstLine(err error) string {
	line, rest, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	line = strings.TrimSpace(line)
	if strings.TrimSpace(rest) != "" {
		line += " …"
	}
	return line
}
