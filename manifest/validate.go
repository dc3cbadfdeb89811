package manifest

import (
	"regexp"
	"strings"
)

// maintainerRE is bashbrew's maintainer format, "Name <email-or-url> (@handle)"
// or "Name (@handle)". It is compiled once and never changed.
var maintainerRE = regexp.MustCompile(`^([^\s<>()][^<>()]*)(?:\s+<([^\s<>()]+)>)?\s+[(]@([^\s<>()]+)[)]$`)

const (
	maintainerFormat = `"Full Name <contact-email-or-url> (@github-handle)" or "Full Name (@github-handle)"`
	tagFormat        = `a letter, digit or '_', then at most 127 letters, digits, '_', '.' or '-'`
	commitFormat     = `the full 40- or 64-character lowercase hex id of a commit, not a tag or a ref`
	fetchFormat      = `"refs/heads/BRANCH" or "refs/tags/TAG"`
)

func validMaintainer(s string) bool { return maintainerRE.MatchString(s) }

// validTag is the regexp ^\w[\w.-]{0,127}$, written out because it runs for
// every tag of every entry.
func validTag(s string) bool {
	if len(s) == 0 || len(s) > 128 || !isWord(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isWord(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// validCommit is ^([0-9a-f]{40}|[0-9a-f]{64})$: SHA-1 and SHA-256 object names.
func validCommit(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validFetch is ^refs/(heads|tags)/[^*?:]+$.
func validFetch(s string) bool {
	rest, ok := strings.CutPrefix(s, "refs/heads/")
	if !ok {
		rest, ok = strings.CutPrefix(s, "refs/tags/")
	}
	return ok && rest != "" && !strings.ContainsAny(rest, "*?:")
}
