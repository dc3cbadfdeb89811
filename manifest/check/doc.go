// Package check holds the rules of the Docker Official Images' pull-request
// checks (official-images' .github/workflows/naughty.sh and the
// naughty-*.sh scripts it runs), as findings with a file, a line, a tag,
// an architecture and a message saying what is wrong and what would be
// right.
//
// The rules here are pure: they read parsed library files, and what they
// need to know beyond them (the FROMs of an entry's Dockerfile, another
// library file, the .external-pins of official-images, the architectures
// of a pinned external image) they ask of a [Sources]. Package
// builder/check implements Sources with brewkit's git cache, Dockerfile
// parser and registry client, adds the rule that needs git histories
// ([RuleCommits]) and runs them all; brewkit check is its command line.
//
//	var rep check.Report
//	for _, r := range repos { // *manifest.Repo, as manifest.Loader loads them
//		rep.Findings = append(rep.Findings, check.LatestTags(r)...)
//		rep.Findings = append(rep.Findings, check.SharedTags(r)...)
//	}
//	f, skipped := check.Froms(ctx, repos, src)
//	...
//	os.Exit(len(rep.Failed())) // as naughty.sh: the number of rules that failed
//
// # Rules
//
// Each rule is named after what it checks and maps to one part of
// naughty.sh:
//
//   - [RuleLatestTag] ("latest-tag"): naughty.sh's grep of bashbrew list for
//     a tag containing "latest" that is not "latest";
//   - [RuleSharedTags] ("shared-tags"): naughty-sharedtags.sh, a shared tag
//     that two entries give the same architecture (windows-amd64 aside);
//   - [RuleFrom] ("from"): naughty-from.sh, a FROM that no entry builds for
//     the architecture, an external image with no .external-pins file or
//     pinned without the architecture, FROM scratch on Windows, Ubuntu
//     25.10+ on riscv64;
//   - [RuleConstraints] ("constraints"): naughty-constraints.sh, Constraints
//     that differ from what the FROMs need (their own Constraints, or
//     nanoserver-TAG / windowsservercore-TAG for Microsoft's images);
//   - [RuleCommits] ("commits"): naughty-commits.sh, a GitCommit that is not
//     in the history of its GitFetch, or a commit in its history that
//     modifies a binary "*.tar*" file of more than 2 MiB (implemented by
//     builder/check).
//
// # Skips
//
// A rule that needs the network (a GitRepo to fetch, a registry to ask an
// external image's architectures) and cannot reach it does not pass: it
// reports a [Skip] with the reason, which brewkit check prints as a
// warning (and counts as a failure with --strict). The scripts, in the
// same case, print a warning and call the image naughty. A pinned image
// its registry says it does not have is a finding, as in the scripts.
package check
