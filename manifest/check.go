package manifest

import "fmt"

// entryName names an entry in messages by its Tags, as bashbrew does. It
// is only formatted when a message is.
type entryName struct{ e *Entry }

func (n entryName) String() string {
	if len(n.e.Tags) == 0 {
		return "entry"
	}
	return fmt.Sprintf("Tags %q", n.e.TagsString())
}

// checkFields checks the values bashbrew checks for each entry.
func (b *builder) checkFields(e *Entry, who fmt.Stringer) {
	if e.GitFetch != "" && !validFetch(e.GitFetch) {
		b.fieldErrorf(e, keyGitFetch, who, "invalid GitFetch %q; want %s", e.GitFetch, fetchFormat)
	}
	switch {
	case e.GitCommit == "":
		b.d.errorf(e.line, "%s: missing GitCommit; want %s", who, commitFormat)
	case !validCommit(e.GitCommit):
		b.fieldErrorf(e, keyGitCommit, who, "invalid GitCommit %q; want %s", e.GitCommit, commitFormat)
	}
	if e.GitRepo == "" {
		b.d.errorf(e.line, "%s: missing GitRepo; want the URL of the git repository holding the Dockerfile", who)
	}
	if e.GitFetch == "" {
		b.fieldErrorf(e, keyGitFetch, who, "empty GitFetch; want %s, or no GitFetch line for the default refs/heads/master", fetchFormat)
	}
	if e.setHere(keyMaintainers) { // added by the entry to the global ones
		checkMaintainers(e.Maintainers[len(b.m.Global.Maintainers):], int(e.lines[keyMaintainers]), b.d)
	}
	for _, k := range []key{keyTags, keySharedTags} {
		for _, t := range *e.list(k) {
			if !validTag(t) {
				b.fieldErrorf(e, k, who, "invalid tag %q; want %s", t, tagFormat)
			}
		}
	}
	if e.setHere(keyArchitectures) {
		checkArches(who, e.Architectures, int(e.lines[keyArchitectures]), b.d)
	}
}

// fieldErrorf reports a bad value at the line where it was written. A bad
// value inherited from the global paragraph is reported once, there.
func (b *builder) fieldErrorf(e *Entry, k key, who fmt.Stringer, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if e.lines[k] == 0 || e.setHere(k) {
		b.d.errorf(max(int(e.lines[k]), e.line), "%s: %s", who, msg)
		return
	}
	if !b.inherited[msg] {
		b.inherited[msg] = true
		b.d.errorf(int(e.lines[k]), "%s (in the global paragraph, inherited by %s)", msg, who)
	}
}
