// Package manifest reads the library files of the Docker Official Images:
// RFC 2822-style paragraphs naming, for each group of tags, the git source
// of a Dockerfile and the architectures it is built for.
//
// It is the library language only; it knows nothing of git, BuildKit or
// registries, and its results match bashbrew's byte for byte.
//
// # Parsing
//
//	m, err := manifest.Parse("library/hello-world", f)
//	if err != nil {
//		return err // every problem of the file, one "file:line: message" per line
//	}
//	for _, e := range m.Entries {
//		for _, arch := range e.Architectures {
//			fmt.Println(e.Tags[0], arch, e.ArchGitCommit(arch), e.ArchDirectory(arch))
//		}
//	}
//
// The first paragraph is global: its fields are defaults for every entry.
// Entries replace the global Architectures and SharedTags, but add to the
// global Maintainers and Constraints, exactly as bashbrew does. Fields such
// as "arm64v8-Directory" override a field for one architecture.
//
// # Finding a manifest
//
// A [Loader] resolves the names users type: "golang", "golang:1.22", a
// path such as "./library/golang:1.22", or an http(s) URL.
//
//	l := manifest.Loader{Library: "/src/official-images/library"}
//	repo, err := l.Load(ctx, "golang:1.22")
//	for _, tag := range repo.Tags("", false, repo.TagEntry) { … }
//
// # Canonical form
//
// [Manifest.String] prints the file the way bashbrew cat does, which makes
// two manifests easy to diff.
package manifest
