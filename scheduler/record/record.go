package record

import (
	"encoding/json"
	"time"

	"github.com/brewkit/brewkit/manifest"
)

// Version is the schema version this package writes. [Read] reads every
// version from 0 to Version.
const Version = 1

// Record is a build: when it ran, with which brewkit, and its jobs in
// plan order.
type Record struct {
	// SchemaVersion is the version of the schema the record follows:
	// [Version] when written, 0 for a --metadata-file of a brewkit that
	// wrote no version.
	SchemaVersion int `json:"schemaVersion"`
	// BrewkitVersion is the version of the brewkit that ran the build,
	// as its build information gives it ("v1.2.3", a pseudo-version, or
	// "(devel)"); empty if unknown.
	BrewkitVersion string    `json:"brewkitVersion,omitempty"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Seconds        float64   `json:"seconds"` // End - Start
	Jobs           []Job     `json:"jobs"`
}

// Job is one job of a build, one source built for one architecture: its
// inputs, then what became of it.
type Job struct {
	ID       string   `json:"id"`              // unique in the record: the source id and the arch
	Repos    []string `json:"repos,omitempty"` // the repositories of Entries, in order, once each
	Entries  []Entry  `json:"entries"`         // the library entries that build it, in library order
	Tags     []string `json:"tags,omitempty"`  // every "repo:tag" it is published as (tags, then shared tags)
	Arch     string   `json:"arch"`            // bashbrew architecture, such as "arm64v8"
	Platform string   `json:"platform"`        // OCI platform, such as "linux/arm64/v8"
	Builder  string   `json:"builder,omitempty"`
	Source   Source   `json:"source"`
	// CommitTime is the time of Source.GitCommit, in UTC: the build's
	// SOURCE_DATE_EPOCH, also given as an integer in SourceDateEpoch.
	// Both are absent when the job could not be planned.
	CommitTime      time.Time `json:"commitTime,omitzero"`
	SourceDateEpoch *int64    `json:"sourceDateEpoch,omitempty"`
	SourceID        string    `json:"sourceId,omitempty"` // content address of the context, file and builder
	Froms           []From    `json:"froms,omitempty"`    // what the Dockerfile reads, in order, scratch included
	LastStageFrom   string    `json:"lastStageFrom,omitempty"`
	BuildID         string    `json:"buildId,omitempty"` // computed from SourceID, Arch and the digests of Froms

	Status   string    `json:"status"`             // "built", "up to date", "failed", "skipped", "cancelled" or "pending"
	Worker   string    `json:"worker,omitempty"`   // of the last attempt
	BuildKit string    `json:"buildkit,omitempty"` // the version of the worker's BuildKit, when it built the image
	Image    string    `json:"image,omitempty"`    // the staged image, pinned by digest
	Digest   string    `json:"digest,omitempty"`   // its digest
	Attempts int       `json:"attempts,omitempty"`
	Start    time.Time `json:"start,omitzero"` // of the last attempt
	End      time.Time `json:"end,omitzero"`
	Seconds  float64   `json:"seconds,omitempty"` // End - Start
	Error    string    `json:"error,omitempty"`   // why it failed, was skipped or cancelled
	// NoWorker is set for a job skipped because no worker builds its
	// arch: not a failure, the arch is simply not published.
	NoWorker bool `json:"noWorker,omitempty"`
}

// Entry is a library entry a job builds.
type Entry struct {
	File string `json:"file"` // the library file, such as "library/golang"
	Line int    `json:"line"` // the entry's first line
	Repo string `json:"repo"` // "golang"
	Tag  string `json:"tag"`  // the entry's first tag
	// Tags and SharedTags are the entry's tags and shared tags, without
	// the repository: what its images are published as.
	Tags       []string `json:"tags,omitempty"`
	SharedTags []string `json:"sharedTags,omitempty"`
}

// Source is where a job's build context comes from.
type Source struct {
	GitRepo   string `json:"gitRepo"` // without credentials (see [manifest.RedactGitRepo])
	GitFetch  string `json:"gitFetch"`
	GitCommit string `json:"gitCommit"`
	Directory string `json:"directory"`
	File      string `json:"file"`
}

// MarshalJSON writes s with its GitRepo redacted.
func (s Source) MarshalJSON() ([]byte, error) {
	type plain Source // without this method
	p := plain(s)
	p.GitRepo = manifest.RedactGitRepo(s.GitRepo)
	return json.Marshal(p)
}

// From is a FROM of a job's Dockerfile, as normalised by the planner,
// and what it resolved to. Job is set when a job of this record built
// it, External when it came from a registry; scratch has neither, and no
// digest.
type From struct {
	From string `json:"from"`
	// Digest is the manifest the FROM resolved to for the job's
	// architecture. It is empty for scratch, and for an external FROM of
	// a job that did not succeed: the scheduler keeps the result, with
	// the resolved FROMs, of a job that succeeded only. A FROM built by
	// a job of the record always has that job's digest, if it has one.
	Digest   string `json:"digest,omitempty"`
	Job      string `json:"job,omitempty"` // the ID of the job that built it
	External bool   `json:"external,omitempty"`
}
