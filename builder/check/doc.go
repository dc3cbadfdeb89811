// Package check runs the Docker Official Images' pull-request checks
// (official-images' naughty.sh and naughty-*.sh) natively: the library
// rules of package manifest/check, given the facts they need from git, the
// Dockerfiles, official-images' .external-pins and registries, and the rule
// that reads git histories, [check.RuleCommits].
//
//	cache, _ := gitsource.Open(dir)
//	c, err := check.New(cache, &manifest.Loader{Library: lib},
//		check.WithPins(filepath.Join(lib, "..", ".external-pins")))
//	names, err := check.ChangedRepos(ctx, lib, "origin/master") // or the repos to check
//	repos := ... // manifest.Loader.Load each name
//	rep, err := c.Run(ctx, repos, nil) // every rule
//	for _, f := range rep.Findings {
//		fmt.Println(f) // library/foo:7: foo:1.0 [arm64v8]: FROM debian:bookworm is not built for arm64v8 ... (from)
//	}
//	os.Exit(len(rep.Failed()))
//
// # Where the facts come from
//
//   - An entry's FROMs for an architecture: its Dockerfile at ARCH-GitCommit,
//     read from brewkit's git cache (fetched if not there) and parsed with
//     BuildKit's rules for that platform (package builder/dockerfile); an
//     oci-import entry is FROM scratch. This is where brewkit and bashbrew
//     may differ: bashbrew's line scanner takes "FROM --platform=X img" for
//     the image "--platform=X:latest" and does not expand ARGs.
//   - Another image's entry: the library directory (a Loader).
//   - An external image's pin: the file .external-pins/HOST/NAME___TAG,
//     holding its digest (as official-images' .external-pins/file.sh names it).
//   - A pinned image's architectures: its index, from its registry, looked
//     up by a remotearches.Resolver ([WithRemoteArches]): a Docker Hub image
//     in DOCKERHUB_PUBLIC_PROXY first when brewkit check is given one.
//   - Commits: GitFetch fetched from GitRepo into the git cache, then git
//     merge-base --is-ancestor, git log and git diff-tree.
//
// A GitRepo or a registry that cannot be reached makes the checks that
// needed it skipped ([check.Skip]), never passed. A registry's 404 for a
// pinned digest is an answer: the FROM is a finding.
package check
