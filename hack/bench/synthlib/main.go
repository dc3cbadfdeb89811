// Command synthlib makes a synthetic official-images repository with the
// real library's shape, whose sources are local git repositories that
// build in a second: the input of the scale benchmark (hack/bench/serve).
//
//	go run ./hack/bench/synthlib -library ../shared/conformance/official-images/library -out /tmp/synth
//	brewkit plan --all --library /tmp/synth/official-images/library --workers .farm/workers.yaml
//
// For every real library file it writes library/NAME into
// OUT/official-images (a git repository, branch main, one commit) with the
// same paragraphs, tags, shared tags, architectures, per-arch overrides,
// GitFetch, Directory, File and Builder lines and comments; it changes:
//
//   - GitRepo: the local bare repository OUT/repos/SLUG.git made for each
//     real GitRepo (one per URL);
//   - GitCommit (and ARCH-GitCommit): the synthetic commit made for the
//     real one, on the same GitFetch ref (a branch or tag of that name);
//   - windows-amd64 is dropped from Architectures, with the Constraints
//     lines (no farm worker builds Windows); a paragraph left without an
//     architecture is dropped.
//
// A synthetic commit holds, for every Directory and File built from the
// real commit, a Dockerfile "FROM PARENT" + "COPY FILE.synth /synth/ID",
// where FILE.synth is a small file unique to that source; an oci-import
// entry gets a one-layer OCI layout for its architecture instead. PARENT
// is a tag of another library entry, inferred from tag names and the
// library's known lineage (buildpack-deps, the language images, PHP and
// Java applications, ...; see froms.go), since the real Dockerfiles are
// not available offline; it is kept only when that entry builds every
// architecture of the source, else the FROM is scratch (the real library's
// external bases, such as Red Hat UBI, are scratch too).
//
// The output is deterministic: the same library and -out give the same
// commits (fixed author, committer and dates; the official-images commit
// names OUT in its GitRepo lines). OUT must not exist, or be empty.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	var (
		library = flag.String("library", "../shared/conformance/official-images/library", "the real library directory to copy the shape of")
		out     = flag.String("out", "", "the directory to create (official-images/ and repos/ go in it)")
		date    = flag.String("date", "2026-01-01T00:00:00Z", "the author and committer date of every commit")
	)
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthlib: -out is required")
		os.Exit(2)
	}
	when, err := time.Parse(time.RFC3339, *date)
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthlib: -date:", err)
		os.Exit(2)
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthlib:", err)
		os.Exit(1)
	}
	start := time.Now()
	sum, err := generate(*library, abs, when)
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthlib:", err)
		os.Exit(1)
	}
	sum.print(os.Stdout)
	fmt.Printf("took %s\n", time.Since(start).Round(time.Millisecond))
}
