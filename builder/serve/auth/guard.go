package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
)

// Guard is an HTTP middleware that asks for a token of Tokens on every
// mutating request, and with Private on reads too (see the package doc).
// The zero Guard refuses every mutation and lets every read through.
type Guard struct {
	// Tokens are the clients allowed; with none, mutating requests are
	// refused.
	Tokens *Tokens
	// Private asks for a token on reads too, except GET /healthz and
	// PublicPaths and PublicPrefixes.
	Private bool
	// PublicPaths are paths a Private guard lets GET and HEAD read
	// without a token, such as "/" for a page's shell.
	PublicPaths []string
	// PublicPrefixes are path prefixes a Private guard lets GET and HEAD
	// read without a token, such as "/static/".
	PublicPrefixes []string
	// Logger logs every mutating request; nil logs nothing.
	Logger *slog.Logger
}

// The most of a path and of a method that a log line shows.
const (
	maxLoggedPath   = 256
	maxLoggedMethod = 16
)

// Wrap returns next behind the guard. A request it lets through carries
// its token's name in its context ([NameFrom]).
func (g Guard) Wrap(next http.Handler) http.Handler {
	log := g.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !mutating(r.Method) {
			g.read(w, r, next)
			return
		}
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		name := g.mutate(sw, r, next)
		log.LogAttrs(r.Context(), slog.LevelInfo, "api mutation", slog.String("token_name", name),
			slog.String("method", cut(r.Method, maxLoggedMethod)), slog.String("path", cut(r.URL.EscapedPath(), maxLoggedPath)),
			slog.String("remote", r.RemoteAddr), slog.Int("status", sw.code))
	})
}

// read serves a GET, HEAD or OPTIONS.
func (g Guard) read(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if !g.Private || g.public(r) {
		next.ServeHTTP(w, r)
		return
	}
	if name, ok := g.authorize(w, r); ok {
		next.ServeHTTP(w, r.WithContext(withName(r.Context(), name)))
	}
}

// mutate serves any other method, and returns the token's name, or "" if
// there was none that the guard knows.
func (g Guard) mutate(w http.ResponseWriter, r *http.Request, next http.Handler) string {
	if g.Tokens.Len() == 0 {
		writeError(w, http.StatusForbidden, "this server takes no "+cut(r.Method, maxLoggedMethod)+" requests: it was started without a token file; start brewkit serve with --token-file to allow them")
		return ""
	}
	name, ok := g.authorize(w, r)
	if ok {
		next.ServeHTTP(w, r.WithContext(withName(r.Context(), name)))
	}
	return name
}

// authorize checks r's bearer token, or writes 401 or 403.
func (g Guard) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="brewkit"`)
		writeError(w, http.StatusUnauthorized, "this request needs a token: send \"Authorization: Bearer TOKEN\"")
		return "", false
	}
	name, ok := g.Tokens.Check(token)
	if !ok {
		writeError(w, http.StatusForbidden, "the token is not one of this server's")
		return "", false
	}
	return name, true
}

// bearer is the token of an Authorization header "Bearer TOKEN".
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// public tells whether a Private guard lets r read without a token. A
// path that is not clean (.., //, an escaped slash) is never public: the
// handler behind might see another path than the guard.
func (g Guard) public(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	if r.URL.RawPath != "" || !clean(p) {
		return false
	}
	if p == "/healthz" || slices.Contains(g.PublicPaths, p) {
		return true
	}
	return slices.ContainsFunc(g.PublicPrefixes, func(prefix string) bool { return strings.HasPrefix(p, prefix) })
}

// clean tells whether p is the path it names, but for a trailing slash.
func clean(p string) bool {
	c := path.Clean(p)
	return c == p || c+"/" == p
}

// mutating tells whether a request of method may change something.
func mutating(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// cut is s for a log, cut short at n bytes.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

type nameKey struct{}

func withName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, nameKey{}, name)
}

// NameFrom is the name of the token of the request whose context is ctx,
// when a [Guard] checked one.
func NameFrom(ctx context.Context) (string, bool) {
	name, ok := ctx.Value(nameKey{}).(string)
	return name, ok
}

// statusWriter remembers the status code of an answer.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets [http.ResponseController] reach the writer beneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(map[string]string{"error": msg})
}
