package builder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/moby/buildkit/util/staticfs"
	"github.com/tonistiigi/fsutil"
	"github.com/tonistiigi/fsutil/types"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// Limits on what is read from a source's tree into memory. A Dockerfile
// of the real library is at most a few tens of KiB.
const (
	maxDockerfile   = 4 << 20
	maxDockerignore = 1 << 20
)

// setContext chooses how BuildKit gets the job's source. A public remote
// repository is a git context BuildKit fetches itself, at the directory
// the plan checksummed: Directory with its symlinks followed in the tree.
// Any other source is sent from the git cache with the solve, read from
// git's objects (see [treeFS]): a local repository (a path or file://,
// for a maintainer whose commit is not pushed), which no worker could
// fetch, and a remote whose GitRepo carries a credential, which must not
// reach a worker, its logs or its build records.
//
// The returned func releases what the solve read the context with.
func (e *Executor) setContext(ctx context.Context, req *request) (done func(), err error) {
	src := req.job.Source
	commit, err := e.Cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return nil, err
	}
	if e.SendContexts || isLocalRepo(src.GitRepo) || manifest.RedactGitRepo(src.GitRepo) != src.GitRepo {
		var tree *treeFS
		req.local, req.file, tree, err = localMounts(ctx, commit, src, req.job.CommitTime)
		if err != nil {
			return nil, err
		}
		return func() { tree.Close() }, nil
	}
	dir, err := commit.Dir(ctx, src.Directory)
	if err != nil {
		return nil, err
	}
	src.Directory = dir.Path()
	req.context = gitContext(src)
	return func() {}, nil
}

// localMounts are the "context" and "dockerfile" mounts of src at commit,
// and the Dockerfile's name in the second: the entry's Directory, and its
// Dockerfile alone (with its .dockerignore, if any), found by following
// symlinks inside the repository as the plan did. The caller must Close
// the context's treeFS.
func localMounts(ctx context.Context, commit *gitsource.Commit, src scheduler.Source, mtime time.Time) (map[string]fsutil.FS, string, *treeFS, error) {
	name, err := dockerfilePath(ctx, commit, src)
	if err != nil {
		return nil, "", nil, err
	}
	dockerfileFS, file, err := dockerfileMount(ctx, commit, name, mtime.UnixNano())
	if err != nil {
		return nil, "", nil, err
	}
	contextFS, err := newTreeFS(ctx, commit, src.Directory, mtime)
	if err != nil {
		return nil, "", nil, fmt.Errorf("context %s: %w", src.Directory, err)
	}
	return map[string]fsutil.FS{"context": contextFS, "dockerfile": dockerfileFS}, file, contextFS, nil
}

// dockerfileMount holds the Dockerfile at name and, when there is one,
// NAME.dockerignore, which BuildKit prefers to the context's .dockerignore.
func dockerfileMount(ctx context.Context, commit *gitsource.Commit, name string, mtime int64) (fsutil.FS, string, error) {
	text, err := commit.ReadFile(ctx, name, maxDockerfile)
	if err != nil {
		return nil, "", err
	}
	file := path.Base(name)
	mount := staticfs.NewFS()
	mount.Add(file, &types.Stat{Mode: 0o644, ModTime: mtime}, text)
	ignore, err := commit.ReadFile(ctx, name+".dockerignore", maxDockerignore)
	switch {
	case err == nil:
		mount.Add(file+".dockerignore", &types.Stat{Mode: 0o644, ModTime: mtime}, ignore)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, "", err
	}
	return mount, file, nil
}

// isLocalRepo reports whether a GitRepo names a repository on this machine.
func isLocalRepo(repo string) bool {
	return strings.HasPrefix(repo, "/") || strings.HasPrefix(repo, ".") || strings.HasPrefix(repo, "file://")
}
