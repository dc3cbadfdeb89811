package manifest

import "strings"

// RedactGitRepo returns a GitRepo as it may be printed or recorded: a URL
// without its userinfo, so "https://user:TOKEN@host/r.git" (or a token in
// the user's place) becomes "https://host/r.git". As in git and
// net/url, the userinfo is what precedes the last "@" before the first
// "/", "?" or "#" after "://". Other forms (user@host:path, local paths)
// cannot carry a password and are returned unchanged.
//
// brewkit uses a GitRepo's credential for fetching only; logs, build
// records, plans and image annotations carry the redacted form.
func RedactGitRepo(repo string) string {
	scheme, rest, ok := strings.Cut(repo, "://")
	if !ok {
		return repo
	}
	host, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, tail = rest[:i], rest[i:]
	}
	at := strings.LastIndexByte(host, '@')
	if at < 0 {
		return repo
	}
	return scheme + "://" + host[at+1:] + tail
}
