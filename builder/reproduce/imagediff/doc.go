// Package imagediff compares a published single-platform image with its
// rebuild and says whether they are identical, equivalent (they differ only
// by differences that do not change what a container sees) or different,
// and where: the config fields, the first layer and the Dockerfile
// instruction that made it, and the files.
//
// It is the comparison engine of `brewkit reproduce`, which gets both
// images (from the registry with [Fetch], or from a build) and prints the
// [Report] of each platform as JSON.
//
//	ctx := context.Background()
//	pub, _, err := imagediff.Fetch(ctx, "docker.io/library/busybox:1.37", platform)
//	if err != nil {
//		return err
//	}
//	reb, _, err := imagediff.Fetch(ctx, "localhost:5000/rebuild/busybox:1.37", platform)
//	if err != nil {
//		return err
//	}
//	report, err := imagediff.Compare(ctx, pub, reb, imagediff.WithReportDir("diff"))
//	if err != nil {
//		return err
//	}
//	fmt.Println(report.Verdict, report.Normalizations) // "equivalent [layer compression timestamps]"
//
// # Verdicts
//
// The verdict is [Identical] when both manifest digests are the same,
// [Differs] when any row of the report remains (a config or manifest
// field, a layer, a file), and [Equivalent] otherwise: the digests differ,
// and [Report.Normalizations] names every kind of difference found.
//
// # Normalizations
//
// Each is a difference that is forgiven, and listed, never silently:
//
//   - "layer compression": a layer pair with the same diff ID (the digest
//     of the uncompressed tar) and different compressed digests: another
//     gzip level or implementation, another gzip header (its time, OS or
//     name fields), or another algorithm (gzip, zstd, none; the layer's
//     media type in the manifest saying so is part of it). Gzip header
//     differences are not a normalization of their own: telling them from
//     the rest needs the compressed streams compared byte by byte.
//   - "timestamps": the config's created and history[N].created fields,
//     and the mtime, atime and ctime of tar entries that agree on
//     everything else compared.
//   - "tar entry order": a layer pair with the same entries, each the
//     same but for the normalizations above, in a different order.
//   - "tar format": a layer pair whose entries agree on every compared
//     field (type, mode, uid and gid, link target, content, xattrs,
//     device numbers) but are encoded otherwise: the header format (USTAR,
//     PAX, GNU), the user and group names (extraction uses the numeric
//     ids), PAX records other than times and xattrs, padding and the end
//     of the archive. Also said of a layer pair whose tars differ while no
//     entry differs in any field, time or position.
//   - "media types": a manifest, config or layer media type given in its
//     Docker schema 2 form on one side and its OCI form on the other.
//   - "json encoding": a manifest or config whose bytes differ while its
//     parsed JSON is the same (key order, white space, escaping).
//
// A config's rootfs.diff_ids[N] row is dropped when layer N itself turned
// out equivalent; a manifest's config and layer digests and sizes are not
// rows at all, their content being compared instead.
//
// # Layers and files
//
// Layers are compared pairwise, layer i with layer i, not as the
// filesystems they stack into: that is the simplest comparison that
// streams, and the one that names the first layer that differs, which is
// where a reproducibility bug is. A pair with the same compressed digest
// is the same; one with the same diff ID differs by compression only;
// otherwise both tars are streamed at once and each kept as the metadata
// of its entries (path, type, mode, owner, link target, size, the
// sha256 of a regular file's content hashed as it streams past, xattrs,
// times), never their content: a layer of any size compares in memory
// bounded by its number of entries. A layer only one side has differs,
// its entries are all added or removed.
//
// Each differing entry of a differing pair is a [FileDiff] row with its
// layer index: the change most significant (an unsafe path first, then
// added, removed, type, content, link target, mode, owner, xattrs,
// device) and, in its note, both values of every attribute that differs.
// Whiteouts are entries like any other (a deleted file is an added
// ".wh." entry); the note says what one deletes, and an opaque directory
// marker what it hides. The first [LayerDiff] is the first layer that
// differs; its created_by is that of the history entry of the layer: the
// N-th entry not marked empty_layer, for layer N, published side first.
//
// # Report directory
//
// With [WithReportDir], both versions of the regular files of each
// content, added, removed or type row are written under DIR/published/PATH
// and DIR/rebuilt/PATH (a later layer's overwriting an earlier one's, as
// in the image), at most 16 MiB each and 256 MiB in all by default
// ([WithReportLimits]); the row's note says what was written, or
// truncated, or why not. Entries are streamed again for this. Nothing is
// written outside DIR: a path that is absolute, climbs out with "..", or
// goes through a symlink of its layer is an "unsafe path" row and not
// written; only directories and regular files are created (no symlink,
// no hardlink, mode 0644), through an [os.Root], and a path through
// anything in DIR but a directory is not written.
//
// # Why not diffoci
//
// diffoci's pkg/diff (reproducible-containers/diffoci) compares images
// held in a containerd v1 content store (content.Provider, images.Check),
// which would add containerd v1.7 and its module graph beside the
// containerd v2 brewkit already has, and a store to fill before comparing.
// A walk over go-containerregistry's v1.Image streams from the registry
// directly, and gives the verdict, normalizations and rows this package
// reports.
package imagediff
