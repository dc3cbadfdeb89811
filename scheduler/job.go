package scheduler

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/brewkit/brewkit/manifest"
)

// Builders, after normalisation (see [NormalizeBuilder]).
const (
	BuilderBuildKit  = "buildkit"   // BuildKit, the default on Linux
	BuilderClassic   = "classic"    // the legacy Docker builder, for Windows
	BuilderOCIImport = "oci-import" // no build: an OCI image layout committed to git
)

// Source is where a job's build context comes from: a directory of a git
// commit, and the file in it to build. Its String and JSON show GitRepo
// without any credential ([manifest.RedactGitRepo]): plans, build records
// and messages never carry one; only the fetch uses it.
type Source struct {
	GitRepo   string `json:"gitRepo"`
	GitFetch  string `json:"gitFetch"`
	GitCommit string `json:"gitCommit"`
	Directory string `json:"directory"`
	File      string `json:"file"`
}

func (s Source) String() string {
	return fmt.Sprintf("%s#%s:%s", manifest.RedactGitRepo(s.GitRepo), s.GitCommit, strings.TrimPrefix(s.Directory, "."))
}

// MarshalJSON writes s with its GitRepo redacted.
func (s Source) MarshalJSON() ([]byte, error) {
	type plain Source // without this method
	p := plain(s)
	p.GitRepo = manifest.RedactGitRepo(s.GitRepo)
	return json.Marshal(p)
}

// Origin is a library entry a job builds, to name it in messages.
type Origin struct {
	File string `json:"file"` // the library file, such as "library/golang"
	Line int    `json:"line"` // the entry's first line
	Repo string `json:"repo"` // "golang"
	Tag  string `json:"tag"`  // the entry's first tag
	// Tags and SharedTags are the entry's tags and shared tags, without the
	// repository: what its images are published as (package
	// builder/publish combines the carriers of a shared tag).
	Tags       []string `json:"tags,omitempty"`
	SharedTags []string `json:"sharedTags,omitempty"`
}

func (o Origin) String() string { return fmt.Sprintf("%s:%d (%s:%s)", o.File, o.Line, o.Repo, o.Tag) }

// Job is one image to produce: one source built for one architecture.
// Identical sources named by several tags, entries or repositories are
// one job.
type Job struct {
	ID       string // unique in its plan: the source id and the arch
	Arch     string // bashbrew architecture, such as "arm64v8"
	Platform string // OCI platform, such as "linux/arm64/v8"
	Builder  string // BuilderBuildKit, BuilderClassic or BuilderOCIImport
	Source   Source
	Origins  []Origin // the entries that build it, in library order
	Tags     []string // every "repo:tag" (tags, then shared tags) it is published as

	SourceID   string    // content address of the build context, File and Builder
	CommitTime time.Time // SOURCE_DATE_EPOCH
	Froms      []string  // what the Dockerfile reads, normalised, in order ("scratch" included)
	// LastStageFrom is the base of the final stage, one of Froms.
	LastStageFrom string

	Parents  []Edge   // FROMs built by this plan
	External []string // FROMs not built by this plan (never "scratch")
	Children []*Job   // jobs with an edge to this one

	// Err is set when the job cannot be planned (a missing commit, a bad
	// Dockerfile, an unknown builder); it fails when run.
	Err error

	rank int // the longest chain of jobs from this one to a leaf, itself included
}

// Edge is a FROM built by the same plan.
type Edge struct {
	From string // as the Dockerfile names it, normalised ("debian:bookworm")
	Job  *Job
}

func (j *Job) String() string {
	if len(j.Tags) > 0 {
		return j.Tags[0] + " (" + j.Arch + ")"
	}
	return j.ID
}

// Rank is the number of jobs on the longest chain from j down to a job
// nothing depends on, j included; the runner starts high ranks first.
func (j *Job) Rank() int { return j.rank }

// NormalizeBuilder maps an entry's Builder for arch to the one used:
// empty means BuildKit on Linux and the classic builder on Windows, as in
// the production pipeline.
func NormalizeBuilder(builder, arch string) (string, error) {
	windows := strings.HasPrefix(arch, "windows-")
	switch builder {
	case "":
		if windows {
			return BuilderClassic, nil
		}
		return BuilderBuildKit, nil
	case BuilderBuildKit, BuilderOCIImport:
		return builder, nil
	case BuilderClassic:
		if !windows {
			return "", fmt.Errorf(`Builder "classic" (the legacy Docker builder) is only used for Windows; for %s use "buildkit" or no Builder line`, arch)
		}
		return builder, nil
	}
	return "", fmt.Errorf(`unknown Builder %q; want "buildkit" (or none), "classic" (Windows) or "oci-import"`, builder)
}
