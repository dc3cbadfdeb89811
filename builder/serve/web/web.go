// Package web is the build-farm daemon's web page, and the HTTP handler
// that serves it with the daemon's API:
//
//	h, err := web.New(web.Options{Daemon: d, Guard: guard, Metrics: metrics, Logger: log})
//	if err != nil { ... }
//	srv := serve.NewHTTPServer(h) // or any http.Server
//
// # What it serves
//
//	GET  /            the page: commit, workers, the queue, a job, its log, tags
//	GET  /static/...  its CSS and JavaScript, embedded (no CDN, no build step)
//	GET  /ui/live     the live part of the page alone, as HTML, for the page to refresh itself
//	     /metrics     Options.Metrics, if any
//	     anything else: the daemon's API ([serve.Daemon.Handler])
//
// The guard wraps the API, /ui/live and /metrics. The page and its
// static files are served to anyone, but the page shows the daemon's
// state only if the guard would let the request read the API: a private
// server's page first shows a token field, and its script reads the API
// with the token the user gives.
//
// # The page
//
// The server renders the whole page with html/template, so it shows the
// state at once and works without JavaScript (the filters are a form,
// a job is a link). Its script then refreshes the live part every 2
// seconds by fetching /ui/live, the same template: one rendering, no
// second copy of it in JavaScript, and a stateless poll that any proxy
// passes (the daemon's state is in its store, written in quarter-second
// batches; a status stream would have to poll it anyway). The script
// streams the log of the job shown (GET .../log with "Accept:
// text/event-stream", read with fetch, which can send the token, unlike
// EventSource), and sends Retry and Cancel with the token kept in the
// tab's sessionStorage.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"

	"github.com/brewkit/brewkit/builder/serve"
)

//go:embed templates static
var files embed.FS

// Guard is what stands in front of the API: auth.Guard of package
// builder/serve/auth is one.
type Guard interface {
	Wrap(http.Handler) http.Handler
}

// Options are what [New] serves.
type Options struct {
	// Daemon is the daemon shown, whose API is served; required.
	Daemon *serve.Daemon
	// Guard wraps the API, /ui/live and /metrics; nil lets every request
	// through.
	Guard Guard
	// Metrics serves /metrics; nil serves none.
	Metrics http.Handler
	// Logger gets the page's errors; nil discards them.
	Logger *slog.Logger
}

// handler serves the page; its fields are set once, by New.
type handler struct {
	d      *serve.Daemon
	api    http.Handler // the daemon's API, unguarded
	guard  Guard
	log    *slog.Logger
	tmpl   *template.Template
	assets map[string]string // static file name -> "?v=" version of its content
	tl     timelines         // the last run's timeline, laid out
}

// New returns the handler of the page, its static files, the daemon's
// API behind the guard, and /metrics.
func New(opts Options) (http.Handler, error) {
	_, mux, err := build(opts)
	return mux, err
}

// build is New, with the page's handler.
func build(opts Options) (*handler, *http.ServeMux, error) {
	if opts.Daemon == nil {
		return nil, nil, errors.New("web: no Daemon")
	}
	h := &handler{d: opts.Daemon, api: opts.Daemon.Handler(), guard: opts.Guard, log: opts.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, nil, err
	}
	if h.assets, err = versions(static); err != nil {
		return nil, nil, err
	}
	if h.tmpl, err = template.New("page").Funcs(h.funcs()).ParseFS(files, "templates/*.html"); err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page)
	mux.Handle("GET /static/", cacheFor(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.Handle("GET /ui/live", h.guarded(http.HandlerFunc(h.live)))
	if opts.Metrics != nil {
		mux.Handle("/metrics", h.guarded(opts.Metrics))
	}
	mux.Handle("/", h.guarded(h.api))
	return h, mux, nil
}

// guarded is next behind the guard, if there is one.
func (h *handler) guarded(next http.Handler) http.Handler {
	if h.guard == nil {
		return next
	}
	return h.guard.Wrap(next)
}

// canRead tells whether the guard would let r read the API: a private
// server's page shows nothing to a request without a token (a browser's
// navigation has none).
func (h *handler) canRead(r *http.Request) bool {
	if h.guard == nil {
		return true
	}
	probe := r.Clone(r.Context())
	probe.Method, probe.URL.Path, probe.URL.RawPath, probe.URL.RawQuery = http.MethodGet, "/api/v1/status", "", ""
	passed := false
	h.guard.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { passed = true })).ServeHTTP(discard{}, probe)
	return passed
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

// page serves the whole page.
func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "page")
}

// live serves the live part of the page, which its script fetches.
func (h *handler) live(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "live")
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, name string) {
	v, err := h.view(r)
	if err != nil {
		h.log.Error("web: reading the daemon's state", "err", err)
		http.Error(w, "reading the daemon's state: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&b, name, v); err != nil {
		h.log.Error("web: rendering the page", "template", name, "err", err)
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "+
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	w.Write(b.Bytes())
}

// versions names each static file's content, for its URL: a new version
// is a new URL, so that browsers may cache them.
func versions(static fs.FS) (map[string]string, error) {
	v := map[string]string{}
	err := fs.WalkDir(static, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		v[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return v, err
}

// asset is the URL of static file name, with its version.
func (h *handler) asset(name string) string {
	return path.Join("/static", name) + "?v=" + h.assets[name]
}

// cacheFor lets browsers keep static files for a day: their URLs change
// with their content.
func cacheFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
