package gitsource

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/brewkit/brewkit/manifest"
)

// remote is a parsed GitRepo.
type remote struct {
	url     string // what git fetch is given: never a password
	display string // url without any userinfo, for messages
	key     string // normalized identity: one bare repository per key
	slug    string // the repository's directory name under the cache dir
	// cred is the user and password of an http(s) GitRepo, given to git
	// by a credential helper of our own (see [credentialArgs]) rather than
	// in the URL, where git and the process table would show them.
	cred *url.Userinfo
}

// maxSlug bounds the readable part of a repository's directory name.
const maxSlug = 64

// rewriteGitHub turns git://github.com/… into https://github.com/…, as
// bashbrew does (GitHub no longer serves the git protocol).
func rewriteGitHub(repo string) (string, bool) {
	const insecure = "git://github.com/"
	if !strings.HasPrefix(repo, insecure) {
		return repo, false
	}
	return "https://github.com/" + strings.TrimPrefix(repo, insecure), true
}

// parseRemote accepts https://, http://, git://, ssh://, scp-like
// user@host:path, file:// and local paths (absolute or relative to the
// working directory).
func parseRemote(repo string) (remote, error) {
	s := strings.TrimSpace(repo)
	var (
		r   remote
		err error
	)
	switch {
	case s == "":
		return remote{}, errors.New("empty GitRepo")
	case strings.HasPrefix(s, "-"):
		err = errors.New(`must not start with "-"`)
	case strings.ContainsFunc(s, unicode.IsControl):
		err = errors.New("contains control characters")
	case strings.Contains(s, "://"):
		r, err = parseURL(s)
	case isSCP(s):
		r, err = parseSCP(s)
	default:
		r, err = parseLocal(s)
	}
	if err != nil {
		return remote{}, fmt.Errorf("GitRepo %q: %w", manifest.RedactGitRepo(repo), err)
	}
	r.slug = slugFor(r.key)
	return r, nil
}

func parseURL(s string) (remote, error) {
	if _, rest, _ := strings.Cut(s, "://"); strings.HasPrefix(rest, "-") {
		return remote{}, errors.New(`the host must not start with "-"`) // an option to ssh
	}
	u, err := url.Parse(s)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		return remote{}, ue.Err // without the URL, which may hold a password
	}
	if err != nil {
		return remote{}, err
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https", "http", "git", "ssh":
		if u.Host == "" {
			return remote{}, errors.New("missing host")
		}
		key := scheme + "://" + strings.ToLower(u.Host) + trimRepoPath(u.Path)
		r := remote{url: s, display: withoutUserinfo(u), key: key}
		if u.User != nil && (scheme == "https" || scheme == "http") {
			r.url, r.cred = r.display, u.User
		}
		return r, nil
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return remote{}, fmt.Errorf("file URL with host %q", u.Host)
		}
		return parseLocal(u.Path)
	default:
		return remote{}, fmt.Errorf("unsupported scheme %q (want https, http, git, ssh, file, user@host:path or a local path)", u.Scheme)
	}
}

// withoutUserinfo is u with no user or password.
func withoutUserinfo(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// isSCP reports whether s is git's scp-like syntax: a colon before any slash.
func isSCP(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return false
	}
	slash := strings.IndexByte(s, '/')
	return slash < 0 || colon < slash
}

func parseSCP(s string) (remote, error) {
	hostPart, p, _ := strings.Cut(s, ":")
	if strings.HasPrefix(p, ":") {
		return remote{}, errors.New(`remote-helper syntax "transport::address" is not supported`)
	}
	host := hostPart
	if at := strings.LastIndexByte(hostPart, '@'); at >= 0 {
		host = hostPart[at+1:]
	}
	if host == "" || strings.ContainsFunc(host, func(r rune) bool {
		return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-'))
	}) {
		return remote{}, fmt.Errorf("invalid host %q", host)
	}
	if p == "" {
		return remote{}, errors.New("missing path after host:")
	}
	key := "ssh://" + strings.ToLower(host) + "/" + strings.TrimPrefix(trimRepoPath(p), "/")
	return remote{url: s, display: s, key: key}, nil
}

func parseLocal(p string) (remote, error) {
	if p == "" {
		return remote{}, errors.New("empty path")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return remote{}, err
	}
	return remote{url: abs, display: abs, key: "file://" + filepath.ToSlash(abs)}, nil
}

// trimRepoPath drops trailing slashes and ".git", so that …/golang and
// …/golang.git share a repository.
func trimRepoPath(p string) string {
	p = strings.TrimRight(p, "/")
	p = strings.TrimSuffix(p, ".git")
	return strings.TrimRight(p, "/")
}

// slugFor names a repository directory: the key without its scheme, reduced
// to [A-Za-z0-9._-] (keeping the tail when long), plus 8 hex digits of the
// key's sha256, e.g. "github.com_docker-library_golang-3f2a1c9e".
func slugFor(key string) string {
	body := key
	if _, rest, ok := strings.Cut(key, "://"); ok {
		body = rest
	}
	var b strings.Builder
	for _, r := range body {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-'):
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	slug := strings.Trim(b.String(), "_.-")
	if len(slug) > maxSlug {
		slug = strings.TrimLeft(slug[len(slug)-maxSlug:], "_.-")
	}
	if slug == "" {
		slug = "repo"
	}
	sum := sha256.Sum256([]byte(key))
	return slug + "-" + hex.EncodeToString(sum[:4])
}
