// Package lineage answers bashbrew's plumbing questions about the FROM
// graph of a library: what each entry is built FROM (`bashbrew from`),
// what a tag is built FROM and so on up (`bashbrew parents`), and what is
// built FROM a repo, tag or image and so on down (`bashbrew children`).
// Its answers are bashbrew's, line for line and in bashbrew's order;
// brewkit's from, parents and children commands only parse their flags
// and print them.
//
// It knows no engine: an entry's FROMs on an architecture come from a
// [FromsFunc] the caller gives (brewkit reads them from its git cache with
// BuildKit's Dockerfile parser, package builder/froms), and so do the
// filter decisions (which entries count, on which architectures). It
// reads the FROMs of many entries at once ([Options.Jobs]), since each
// read may fetch a commit, and still answers in library order, stopping
// at the first error in that order, as bashbrew would. It is a package of
// its own, beside the library language of package manifest, because it
// is that fan-out and bashbrew's graph walks over manifest's types, as
// package manifest/check is the pull-request checks over them.
//
// # From
//
//	opts := lineage.Options{Froms: froms, Namespace: ns}
//	err := lineage.Froms(ctx, repos, opts, func(r *manifest.Repo, e *manifest.Entry, froms []string) error {
//		for _, tag := range r.Tags(ns, false, e) {
//			fmt.Printf("%s: %s\n", tag, strings.Join(froms, " "))
//		}
//		return nil
//	})
//
// # Children
//
// A [Graph] links every tag of the library to the tags built FROM it:
//
//	g, err := lineage.NewGraph(ctx, repos, opts) // every repo of the library
//	err = g.Children([]string{"debian:bookworm"}, lineage.Walk{Depth: 1}, func(tag string) error {
//		_, err := fmt.Println(tag) // "buildpack-deps:bookworm-curl", ...
//		return err
//	})
//
// An argument is a tag (its entry's first tag stands for all of its
// tags: a shared tag belongs to the first entry that has it, as in
// bashbrew), a repository (each of its entries' first tags, and the
// tags of it that entries are FROM but the library no longer builds), or
// an image outside the library (mcr.microsoft.com/windows/servercore).
// Only children that share an architecture with the argument count.
//
// # Parents
//
// [Parents] loads what it walks through a [Loader], such as a
// [manifest.Loader], level by level, and ends quietly at an image the
// library does not have:
//
//	err := lineage.Parents(ctx, &manifest.Loader{Library: lib}, []string{"php:8"}, lineage.Walk{}, opts, print)
package lineage
