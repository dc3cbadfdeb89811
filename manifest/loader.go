package manifest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotFound is wrapped by the error [Loader.Load] returns when no manifest
// has the given name, or the manifest has no such tag.
var ErrNotFound = errors.New("not found")

// defaultTimeout bounds fetching a manifest by URL when the Loader has no
// HTTP client of its own.
const defaultTimeout = 30 * time.Second

// Loader finds and parses manifests by the names users type.
type Loader struct {
	// Library is the directory of library files, such as
	// ~/docker/official-images/library.
	Library string
	// HTTPClient fetches manifests named by URL; nil means a client with a
	// 30-second timeout.
	HTTPClient *http.Client
}

// Load returns the repo named by arg, which is one of
//
//	repo[:tag]               the file Library/repo
//	./path/to/repo[:tag]     a file (any name containing a '/')
//	https://host/repo[:tag]  a file fetched over http(s)
//
// The tag may be a tag or a shared tag.
func (l *Loader) Load(ctx context.Context, arg string) (*Repo, error) {
	name, tag, source := splitArg(arg)
	m, file, err := l.parse(ctx, source)
	if err != nil {
		return nil, err
	}
	r := &Repo{File: file, RepoName: name, TagName: tag, Manifest: m}
	if tag != "" && !r.selectTag() {
		return nil, fmt.Errorf("%s: tag %q: %w (the file has no such tag or shared tag)", file, tag, ErrNotFound)
	}
	return r, nil
}

// splitArg splits "dir/repo:tag" into the repo name, the tag and the source.
func splitArg(arg string) (name, tag, source string) {
	name, source = filepath.Base(arg), arg
	if i := strings.IndexByte(name, ':'); i > 0 {
		tag = name[i+1:]
		name = name[:i]
		source = strings.TrimSuffix(arg, ":"+tag)
	}
	return name, tag, source
}

// parse returns the manifest named by source and the file or URL it came from.
func (l *Loader) parse(ctx context.Context, source string) (*Manifest, string, error) {
	if u, err := url.Parse(source); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		m, err := l.fetch(ctx, source)
		return m, source, err
	}
	var candidates []string
	if filepath.IsAbs(source) || strings.ContainsRune(source, '/') || strings.ContainsRune(source, filepath.Separator) {
		candidates = append(candidates, source)
	}
	if !filepath.IsAbs(source) {
		candidates = append(candidates, filepath.Join(l.Library, source))
	}
	for _, file := range candidates {
		f, err := os.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, file, fmt.Errorf("opening manifest: %w", err)
		}
		defer f.Close()
		m, err := Parse(file, f)
		return m, file, err
	}
	return nil, source, fmt.Errorf("manifest %q: %w in %q (nor is it a path or an http(s) URL)", source, ErrNotFound, l.Library)
}

func (l *Loader) fetch(ctx context.Context, source string) (*Manifest, error) {
	client := l.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, source, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching manifest %q: %w", source, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching manifest: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching manifest %q: %s", source, resp.Status)
	}
	return Parse(source, resp.Body)
}
