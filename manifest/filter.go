package manifest

import (
	"fmt"
	"slices"
)

// Filter decides which entries a worker builds: those for its architecture
// whose Constraints it satisfies. It is bashbrew's --arch, --constraint and
// --exclusive-constraints.
type Filter struct {
	Arch        string   // the architecture being built
	Constraints []string // what the worker offers, such as "windowsservercore-ltsc2022"
	// Exclusive skips the entries that have no Constraints at all.
	Exclusive bool
}

// Skip reports whether f skips e and, if so, why, in bashbrew's words (the
// text that follows `skipping "repo:tag" `).
//
// An entry constraint "c" must be among f.Constraints; "!c" must not be.
func (f Filter) Skip(e *Entry) (skip bool, reason string) {
	if !e.HasArchitecture(f.Arch) {
		return true, fmt.Sprintf("(due to architecture %q; only %q supported)", f.Arch, e.ArchitecturesString())
	}
	if len(e.Constraints) == 0 {
		if f.Exclusive {
			return true, "(due to exclusive constraints)"
		}
		return false, ""
	}
	var unsatisfied []string
	for _, c := range e.Constraints {
		name, negated := c, false
		if len(c) > 0 && c[0] == '!' {
			name, negated = c[1:], true
		}
		if slices.Contains(f.Constraints, name) == negated {
			unsatisfied = append(unsatisfied, name)
		}
	}
	if len(unsatisfied) > 0 {
		return true, fmt.Sprintf("(due to unsatisfactory constraints %q)", unsatisfied)
	}
	return false, ""
}
