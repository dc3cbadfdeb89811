// Package reproduce rebuilds a published image from its recorded inputs
// and says, platform by platform, whether it is the same, and if not,
// where: the engine of `brewkit reproduce`.
//
//	layout, err := builder.OpenLayout(scratchDir) // never a registry: a rebuild touches no tag
//	target := &engine.Target{Workers: ws, Layout: layout}
//	e, err := engine.New(engine.Options{Target: target, Sources: cache})
//	rep, err := reproduce.Reproduce(ctx, "registry.example/library/busybox:1.37", reproduce.Options{
//		Engine:  e,
//		Library: &manifest.Loader{Library: "official-images/library"},
//	})
//	rep.WriteText(os.Stdout)
//	os.Exit(rep.Exit())
//
// # Inputs
//
// Each platform of the published index is rebuilt from what was
// recorded: the job of a build record (Options.Record, the schema of
// docs/BUILD-RECORD.md) that built its digest, else the image's own
// annotations (org.opencontainers.image.source REPO#COMMIT:DIR, revision,
// created, version, the bashbrew arch, base.name and base.digest) joined
// with the library entry of the tag for GitFetch, File and Builder. Every
// value says where it came from. Parents are pinned to the recorded
// digests, never to what their tags name now: a library image (a FROM
// without "/") is read beside the reproduced repository, as official
// images are FROM each other. A value that is missing, or that another
// contradicts (a revision that is not the source's commit, another
// repository than the library's, a FROM of the Dockerfile whose digest
// was not recorded), is an [InputError] for that platform: never a guess.
//
// # Rebuild
//
// A platform is built once through the engine, on a native worker unless
// the target emulates, into a scratch OCI layout, with BuildKit's cache
// not consulted (a rebuild from cache proves nothing), SOURCE_DATE_EPOCH
// the commit time and timestamps rewritten, as brewkit builds. Its build
// id is compared with the recorded one.
//
// # Verdicts
//
// Package imagediff compares the two images: identical (the same
// manifest digest), equivalent (different only by normalizations, each
// listed by name), differs (the config fields, the first layer that
// differs with the instruction that made it, every file that differs),
// or rebuild-failed (with the reason). [Report.Exit] is 0 when every
// platform is identical or equivalent, 2 when a platform's inputs could
// not be read, else 1.
package reproduce
