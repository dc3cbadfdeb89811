// Package gitsource is the git source cache brewkit reads library entries'
// sources from. It keeps one bare repository per GitRepo, fetches commits
// with the git binary, and reads files, commit times and bashbrew-compatible
// build-context checksums from them.
//
// Open the cache (brewkit passes --cache, by default
// os.UserCacheDir()/brewkit/git), make an entry's commit present, then read
// from it:
//
//	cache, err := gitsource.Open(dir, gitsource.WithLogger(logger))
//	if err != nil {
//		return err
//	}
//	commit, err := cache.Ensure(ctx, gitsource.Source{
//		Repo:   "https://github.com/docker-library/golang.git",
//		Fetch:  "refs/heads/master",
//		Commit: "3f2a1c9e…", // the full commit id
//	})
//	if err != nil {
//		return err // a *CommitNotFoundError says "is it pushed?"
//	}
//	file, err := gitsource.SafeJoin(entry.Directory, entry.File)
//	if err != nil {
//		return err // Directory "../x" escapes the repository
//	}
//	dockerfile, err := commit.ReadFile(ctx, file, 1<<20) // at most 1 MiB
//	sum, err := commit.Checksum(ctx, entry.Directory) // bashbrew context --sha256
//	epoch, err := commit.Time(ctx)                    // SOURCE_DATE_EPOCH
//
// # Hostile trees
//
// Library files and the trees they name come from strangers, so nothing
// here reads the host's filesystem or writes a tree to it: every path is
// looked up in the commit's tree objects with git ls-tree, every file is
// read with git cat-file. Paths are resolved as bashbrew's gitfs does:
// cleaned, never above the root; a symlink (at the end of a path) is
// followed when its target is relative and stays inside the repository,
// at most 40 times. A [Dir] narrows that to a directory, as a chroot: an
// oci-import layout is read through its Directory, so its File and its
// blobs' symlinks (busybox keeps blobs/sha256/X -> ../../rootfs.tar.gz)
// may not leave it.
//
//	img, err := commit.Dir(ctx, entry.Directory)
//	index, err := img.ReadFile(ctx, "index.json", 4<<20) // *TooLargeError past 4 MiB
//	rc, e, err := img.Open(ctx, "blobs/sha256/"+hex, size) // streams, exactly e.Size bytes
//
// Every read has a limit, checked against the size the tree lists before
// anything is read, and a blob that is not exactly that size fails its
// read. A tree that git would not check out (a name listed twice, such as
// a symlink "a" beside a directory "a", or a name "", ".", ".." or
// ".git") is refused by [Commit.Tree] and [Commit.Checksum].
//
// # Credentials
//
// An http(s) GitRepo may carry a user and password
// (https://user:TOKEN@host/r.git). They are used for the fetch only:
// given to git by a credential helper of brewkit's through git's
// environment, after the helpers of git's own configuration (which are
// the better place for them), never on git's command line; messages and
// logs show the URL without userinfo.
//
// # Layout
//
// Each repository is a bare repository named by a readable slug of its
// normalized URL plus 8 hex digits of the URL's sha256, for example
// github.com_docker-library_golang-3f2a1c9e, next to a lock file of the same
// name plus ".lock". A URL with or without ".git" or a trailing slash, and a
// host in any case, share a repository. Repositories are created with
// gc.auto=0, so, as in bashbrew, dangling commits are kept; fetched commits
// are also kept reachable from refs/brewkit/commit/ID.
//
// # Fetching
//
// [Cache.Ensure] does nothing when the commit is present. Otherwise it runs
// `git fetch --no-tags REPO +COMMIT:refs/brewkit/commit/COMMIT` and, if the
// server refuses to fetch by id, `git fetch --no-tags REPO
// +FETCH:refs/brewkit/fetch/…` and checks that the commit arrived.
// Repositories may be https://, http://, git://, ssh:// or scp-like
// user@host:path URLs, file:// URLs, or local paths, absolute or relative to
// the working directory (for a maintainer whose commit is not pushed yet).
// git://github.com/ is rewritten to https://github.com/, as bashbrew does.
// git runs with GIT_TERMINAL_PROMPT=0 in a session of its own (no terminal,
// so neither git nor ssh can ask for credentials).
//
// # Branches
//
// [Cache.Head] fetches a branch and returns the commit at its tip, for a
// caller that follows a repository rather than pinning commits (brewkit
// serve watching official-images). Each call is one git fetch of
// refs/heads/BRANCH into refs/brewkit/fetch/heads/BRANCH; when the branch
// has not moved, nothing is transferred:
//
//	commit, err := cache.Head(ctx, "https://github.com/docker-library/official-images.git", "main")
//	if err != nil {
//		return err // a *BranchNotFoundError, or a *FetchError
//	}
//	if commit.ID() != last {
//		entries, err := commit.Tree(ctx, "library")
//		…
//	}
//
// # Failures
//
// A repository that does not answer fails one fetch, not every job that
// needs it. Each fetch is bounded by [WithFetchTimeout] (5 minutes by
// default) and, over http(s), by git's stall limit (less than 1000 bytes
// a second for a minute). A fetch that fails without the repository
// answering returns a *[FetchError] naming the GitRepo, and the cache
// remembers it for [WithFailureTTL] (1 minute by default): meanwhile,
// Head of that GitRepo, and Ensure of any commit of it that is not
// present, fail at once with the same error, its Repeat set, and fetch
// nothing:
//
//	_, err := cache.Ensure(ctx, src)
//	if fe := (*gitsource.FetchError)(nil); errors.As(err, &fe) && fe.Repeat {
//		// reported already, for the job whose fetch failed
//	}
//
// # Concurrency
//
// A [Cache] is safe for concurrent use, and several processes may share its
// directory: initializing and fetching a repository happen under an
// exclusive flock of its lock file, and concurrent Ensure calls in one
// process for the same repository and commit share a single fetch (Head
// calls do not: each fetches, one after the other). Reading objects takes
// no lock.
//
// # Checksums
//
// [Commit.Checksum] reproduces bashbrew's ArchGitChecksum (`bashbrew context
// --sha256`, meta-scripts' reproducibleGitChecksum): the sha256 of a
// "scrubbed" tar of the entry's Directory, written by [Commit.Archive]. The
// tar lists the directory's entries depth-first, each directory sorted by
// name, without the directory itself; headers carry only the type, name
// ("dir/" for directories), link target, size and mode (0664 for files,
// 0775 for executables and directories, 0777 for symlinks), with owners and
// times zero; symlinks are stored, never followed; and the archive ends
// without end-of-archive blocks. Submodules appear as empty directories,
// as in git archive.
package gitsource
