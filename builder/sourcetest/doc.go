// Package sourcetest makes sources for tests: git repositories written
// object by object, OCI image layouts as committed in real libraries, and
// the corpus of hostile sources brewkit must refuse or confine. Import it
// from tests only.
//
// Commit a tree that git's porcelain would refuse (here, a symlink and a
// directory under one name, whose extraction would write through the
// link):
//
//	r := sourcetest.NewRepo(t, dir)
//	commit := r.CommitNodes(
//		sourcetest.File("Dockerfile", "FROM scratch\n"),
//		sourcetest.Link("a", "/tmp"),
//		sourcetest.Dir("a", sourcetest.File("x", "written through the link")),
//	)
//
// Run the corpus:
//
//	for _, c := range sourcetest.Hostile() {
//		o := sourcetest.NewOutside(t) // a secret file standing for the host's
//		commit := r.CommitNodes(c.Tree(t, o, "amd64")...)
//		// plan and build an entry with c.Builder, c.Directory, c.File;
//		// want c.Refusal at c.Stage, or, for Harmless, an image without
//		// o.Secret; then o.Check(t): nothing was written beside it.
//	}
package sourcetest
