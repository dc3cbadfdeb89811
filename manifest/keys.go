package manifest

// key names a field of a paragraph that the format knows.
type key int

const (
	keyMaintainers key = iota
	keyTags
	keySharedTags
	keyArchitectures
	keyGitRepo
	keyGitFetch
	keyGitCommit
	keyDirectory
	keyFile
	keyBuilder
	keyConstraints
	numKeys
)

// knownFields lists the field names for error messages.
const knownFields = "Maintainers, Tags, SharedTags, Architectures, GitRepo, GitFetch, GitCommit, Directory, File, Builder, Constraints, and ARCH-GitRepo, ARCH-GitFetch, ARCH-GitCommit, ARCH-Directory, ARCH-File, ARCH-Builder"

// lookupKey maps a field name, matched case-sensitively as bashbrew does.
func lookupKey(name string) (key, bool) {
	switch name {
	case "Maintainers":
		return keyMaintainers, true
	case "Tags":
		return keyTags, true
	case "SharedTags":
		return keySharedTags, true
	case "Architectures":
		return keyArchitectures, true
	case "GitRepo":
		return keyGitRepo, true
	case "GitFetch":
		return keyGitFetch, true
	case "GitCommit":
		return keyGitCommit, true
	case "Directory":
		return keyDirectory, true
	case "File":
		return keyFile, true
	case "Builder":
		return keyBuilder, true
	case "Constraints":
		return keyConstraints, true
	}
	return 0, false
}

// list returns a pointer to the entry's list field for k, or nil when k
// names a string field.
func (e *Entry) list(k key) *[]string {
	switch k {
	case keyMaintainers:
		return &e.Maintainers
	case keyTags:
		return &e.Tags
	case keySharedTags:
		return &e.SharedTags
	case keyArchitectures:
		return &e.Architectures
	case keyConstraints:
		return &e.Constraints
	}
	return nil
}

// str returns a pointer to the entry's string field for k, or nil when k
// names a list field.
func (e *Entry) str(k key) *string {
	switch k {
	case keyGitRepo:
		return &e.GitRepo
	case keyGitFetch:
		return &e.GitFetch
	case keyGitCommit:
		return &e.GitCommit
	case keyDirectory:
		return &e.Directory
	case keyFile:
		return &e.File
	case keyBuilder:
		return &e.Builder
	}
	return nil
}
