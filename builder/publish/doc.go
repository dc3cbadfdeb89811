// Package publish writes the indexes of a build: for every tag of every
// library entry, and every shared tag, an index of the entry's images
// (one per architecture) at REGISTRY/NAMESPACE/repo:tag, written the way
// the production pipeline writes them, and safely.
//
// A build leaves one image per job in a staging repository; [Targets]
// turns its report into the indexes to write, and a [Publisher] writes
// them:
//
//	targets, err := publish.Targets(report, publish.Options{To: "registry.example/library"})
//	if err != nil { ... } // To is not "REGISTRY/NAMESPACE"
//	p, err := publish.New(publish.WithDryRun(dryRun))
//	summary, err := p.Publish(ctx, targets)
//	summary.Write(os.Stdout) // one line per index, and the totals
//
// # Targets
//
// Each tag of an entry is an index of the entry's images; each shared tag
// combines the images of every entry that carries it, one per
// architecture (Windows images excepted: a shared tag holds one per
// os.version). An architecture no worker builds is simply absent. One
// whose job failed, was skipped or cancelled blocks the tag, which is
// left as it is in the registry, unless [Options.Partial] is set. A shared
// tag that entries give the same architecture from different sources (a
// [scheduler.TagConflict], which brewkit plan reports before anything is
// built) fails, and is not written; the other tags are.
// [Options.ArchNamespaces] also publishes each tag for one architecture
// alone, as a single-arch index in that arch's namespace (amd64/…,
// arm64v8/…), attestations kept, as production's arch namespaces are.
// [Tags] gives the same targets for no registry: the OCI image layout of
// a build without one (package builder's Layout.Tag) tags by these rules.
//
// # Indexes
//
// Indexes are laid out by package
// [github.com/brewkit/brewkit/builder/ociindex], which the OCI image
// layout of a build without a registry uses too: images ordered by
// platform ([platforms.Compare]), each attestation manifest right after
// its image, two images for one platform an error. A staged image that is
// itself an index (BuildKit's, with attestations) is flattened into its
// image manifest and the attestations about it ([ociindex.Flatten]).
// Descriptor annotations are kept (but org.opencontainers.image.ref.name);
// a staged plain manifest lends its own annotations to its descriptor.
// The index is a Docker manifest list when every member is a Docker
// manifest, an OCI index otherwise, and has no annotations of its own.
//
// # Writing safely
//
// A Publisher first computes each index and asks the registry for the tag
// (HEAD): an identical index, same digest and size, is not written again.
// Otherwise it makes every manifest the index references present in the
// target repository — there already, or copied from staging: blobs by
// cross-repository mount on the same registry (go-containerregistry's
// pusher asks for one, and streams the blob when the registry declines or
// is another), then the manifest by digest — and only when all are does
// it write the index, then checks the digest the registry stored. So no
// index ever references a missing manifest, and a tag whose arch failed
// is not touched.
//
// Every request goes through a [RetryTransport]: bounded in time, 429
// retried after its Retry-After (capped), 5xx after an exponential
// backoff, a bounded number of times. A manifest PUT answered
// MANIFEST_BLOB_UNKNOWN is tried again likewise: its children were made
// present first, so the registry missed them for an instant (as
// distribution 2.8 does while another client, such as a second publish of
// the same images, writes the same blobs). Credentials come from the
// Docker config file and its helpers ([authn.DefaultKeychain]).
package publish
