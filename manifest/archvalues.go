package manifest

import "strings"

// splitArchKey splits "arm64v8-GitCommit" into ("arm64v8", "GitCommit").
// ok is false when key is not a per-architecture field: GitRepo, GitFetch,
// GitCommit, Directory, File and Builder can be overridden per architecture.
func splitArchKey(key string) (arch, name string, ok bool) {
	i := strings.LastIndexByte(key, '-')
	if i < 0 {
		return "", "", false
	}
	switch name := key[i+1:]; name {
	case "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder":
		return key[:i], name, true
	}
	return "", "", false
}

func (e Entry) archValue(arch, name, base string) string {
	if v := e.ArchValues[arch+"-"+name]; v != "" {
		return v
	}
	return base
}

// ArchGitRepo is the GitRepo used to build arch.
func (e Entry) ArchGitRepo(arch string) string { return e.archValue(arch, "GitRepo", e.GitRepo) }

// ArchGitFetch is the GitFetch used to build arch.
func (e Entry) ArchGitFetch(arch string) string { return e.archValue(arch, "GitFetch", e.GitFetch) }

// ArchGitCommit is the GitCommit used to build arch.
func (e Entry) ArchGitCommit(arch string) string {
	return e.archValue(arch, "GitCommit", e.GitCommit)
}

// ArchDirectory is the Directory used to build arch.
func (e Entry) ArchDirectory(arch string) string {
	return e.archValue(arch, "Directory", e.Directory)
}

// ArchFile is the File used to build arch.
func (e Entry) ArchFile(arch string) string { return e.archValue(arch, "File", e.File) }

// ArchBuilder is the Builder used to build arch.
func (e Entry) ArchBuilder(arch string) string { return e.archValue(arch, "Builder", e.Builder) }
