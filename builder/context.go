package builder

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tonistiigi/fsutil"

	"github.com/brewkit/brewkit/builder/gitsource"
)

// setContext chooses how BuildKit gets the job's source. A remote
// repository is a git context BuildKit fetches itself. A local one (a path
// or file://, for a maintainer whose commit is not pushed) cannot be
// fetched by the worker: its tree at the commit is checked out from the
// git cache and sent with the solve. The returned func removes the
// checkout.
func (e *Executor) setContext(ctx context.Context, req *request) (cleanup func(), err error) {
	src := req.job.Source
	if !isLocalRepo(src.GitRepo) {
		req.context = gitContext(src)
		return func() {}, nil
	}
	commit, err := e.Cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "brewkit-context-")
	if err != nil {
		return nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := checkout(ctx, commit, dir); err != nil {
		cleanup()
		return nil, err
	}
	if req.local, req.file, err = localMounts(dir, src.Directory, src.File); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

func localMounts(root, dir, file string) (map[string]fsutil.FS, string, error) {
	name, err := gitsource.SafeJoin(dir, file)
	if err != nil {
		return nil, "", err
	}
	contextFS, err := fsutil.NewFS(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		return nil, "", fmt.Errorf("context %s: %w", dir, err)
	}
	rootFS, err := fsutil.NewFS(root)
	if err != nil {
		return nil, "", err
	}
	return map[string]fsutil.FS{"context": contextFS, "dockerfile": rootFS}, name, nil
}

// isLocalRepo reports whether a GitRepo names a repository on this machine.
func isLocalRepo(repo string) bool {
	return strings.HasPrefix(repo, "/") || strings.HasPrefix(repo, ".") || strings.HasPrefix(repo, "file://")
}

// checkout writes the whole tree of commit into dir.
func checkout(ctx context.Context, commit *gitsource.Commit, dir string) error {
	return checkoutTree(ctx, commit, ".", dir)
}

// checkoutTree writes the tree of commit under path into dir.
func checkoutTree(ctx context.Context, commit *gitsource.Commit, path, dir string) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(commit.Archive(ctx, path, pw)) }()
	err := untar(pr, dir)
	pr.CloseWithError(err)
	if err != nil {
		return fmt.Errorf("checking out %s:%s: %w", commit, path, err)
	}
	return nil
}

// untar extracts a tar of regular files, directories and symlinks into
// dir, refusing names that leave it.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("tar entry %q leaves the directory", h.Name)
		}
		if err := extract(tr, h, name); err != nil {
			return err
		}
	}
}

func extract(tr *tar.Reader, h *tar.Header, name string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(name, os.FileMode(h.Mode).Perm())
	case tar.TypeSymlink:
		return os.Symlink(h.Linkname, name)
	case tar.TypeReg:
		f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode).Perm())
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		return errors.Join(err, f.Close())
	}
	return fmt.Errorf("tar entry %q: unsupported type %c", h.Name, h.Typeflag)
}
