package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// unionName is the union repository's directory in the cache. A
// repository's slug always ends in "-" and 8 hex digits, so it never
// collides with one.
const unionName = "union.git"

// Union returns a bare repository that sees the objects of every
// repository in the cache, creating it if needed and refreshing the list:
// what bashbrew's single git cache is to scripts that run git in it
// (official-images' naughty-commits.sh runs `git -C "$(bashbrew cat
// --format '{{ gitCache }}' …)" log COMMIT`). It borrows the objects
// through objects/info/alternates, so it copies nothing; a repository
// added to the cache later is seen after the next call. Objects fetched
// into the union itself stay there; brewkit never reads them.
func (c *Cache) Union(ctx context.Context) (_ string, err error) {
	dir := filepath.Join(c.dir, unionName)
	git := runner{bin: c.opts.git, gitDir: dir, env: c.env}
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return "", fmt.Errorf("union repository %s: %w", dir, err)
	}
	defer func() { err = errors.Join(err, unlock()) }()
	if err := c.initRepo(ctx, git); err != nil {
		return "", fmt.Errorf("union repository %s: %w", dir, err)
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return "", fmt.Errorf("listing git cache %s: %w", c.dir, err)
	}
	var objects []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == unionName || strings.Contains(e.Name(), ".init-") {
			continue
		}
		o := filepath.Join(c.dir, e.Name(), "objects")
		if fi, err := os.Stat(o); err == nil && fi.IsDir() {
			objects = append(objects, o)
		}
	}
	slices.Sort(objects)
	if err := writeAlternates(filepath.Join(dir, "objects", "info", "alternates"), objects); err != nil {
		return "", fmt.Errorf("union repository %s: %w", dir, err)
	}
	return dir, nil
}

// writeAlternates replaces the alternates file atomically, unless it
// already lists exactly objects.
func writeAlternates(file string, objects []string) error {
	var b strings.Builder
	for _, o := range objects {
		b.WriteString(o + "\n")
	}
	if old, err := os.ReadFile(file); err == nil && string(old) == b.String() {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "alternates-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
