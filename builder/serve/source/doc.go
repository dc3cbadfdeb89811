// Package source reads the library of an official-images repository from
// git, for brewkit serve: the head of a branch, and the library files at a
// commit, parsed as brewkit list --all --library would parse a checkout.
//
// The repository's library comes from strangers' pull requests once they
// are merged, so it is read from git objects only, never from a checkout:
// a symlink is reported and never followed, every file has a size limit
// and the directory a count limit (see [MaxFileSize], [MaxFiles],
// [MaxLibrarySize]).
//
// # Watching a branch
//
// A [Watcher] polls a branch through a [gitsource.Cache] and reads the
// library again when the branch has moved; the daemon's loop is
//
//	w := source.NewWatcher(cache, "https://github.com/docker-library/official-images.git", "main")
//	tick := time.NewTicker(time.Minute)
//	defer tick.Stop()
//	for {
//		lib, changed, err := w.Poll(ctx)
//		switch {
//		case err != nil:
//			log.Error("poll", "err", err) // a *gitsource.FetchError is retried by the next poll
//		case changed:
//			for _, err := range lib.Errors {
//				log.Warn("library file left out", "err", err) // a *source.FileError
//			}
//			plan(ctx, lib.Repos)
//		}
//		select {
//		case <-ctx.Done():
//			return
//		case <-tick.C:
//		}
//	}
//
// # Reading a commit
//
// [Read] reads the library at any commit of the cache:
//
//	commit, err := cache.Head(ctx, repo, "main") // or cache.Ensure
//	lib, err := source.Read(ctx, commit, source.LibraryDir)
//	// lib.Repos[i].File is "library/NAME", lib.Repos[i].RepoName is NAME
//
// A file that cannot be used (it does not parse, it is too large, it is a
// symlink, its name is not a repository name) is a *[FileError] in
// [Library.Errors], and the other files are read; an error from Read is
// one that leaves no library: git failed, or the directory is missing or
// over its limits.
package source
