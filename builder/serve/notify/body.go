package notify

import (
	"time"

	"github.com/brewkit/brewkit/builder/serve"
)

// The kinds of notification.
const (
	KindTagPublished = "tag-published"
	KindJobFailed    = "job-failed"
)

// Body is the JSON of a notification (see the package doc).
type Body struct {
	Kind   string    `json:"kind"`
	Time   time.Time `json:"time"`
	Commit string    `json:"commit,omitempty"`
	Tag    *Tag      `json:"tag,omitempty"`
	Job    *Job      `json:"job,omitempty"`
}

// Tag is the tag of a tag-published notification.
type Tag struct {
	Ref    string   `json:"ref"`
	Repo   string   `json:"repo"`
	Tag    string   `json:"tag"`
	Arch   string   `json:"arch,omitempty"`
	Digest string   `json:"digest"`
	Jobs   []string `json:"jobs"`
}

// Job is the job of a job-failed notification.
type Job struct {
	ID       string   `json:"id"`
	Repo     string   `json:"repo"`
	Tags     []string `json:"tags"`
	Arch     string   `json:"arch"`
	Failures int      `json:"failures"`
	Attempts int      `json:"attempts"`
	Error    string   `json:"error,omitempty"`
	Log      string   `json:"log"`
}

// body is the notification of ev, if it makes one; failures is
// Options.Failures.
func body(ev serve.Event, failures int) (Body, bool) {
	switch {
	case ev.Kind == serve.TagPublished:
		t := ev.Tag
		jobs := t.Jobs
		if jobs == nil {
			jobs = []string{}
		}
		return Body{Kind: KindTagPublished, Time: ev.Time.UTC(), Commit: t.Commit,
			Tag: &Tag{Ref: t.Ref, Repo: t.Repo, Tag: t.Tag, Arch: t.Arch, Digest: t.Digest, Jobs: jobs}}, true
	case ev.Kind == serve.JobEnded && ev.Job.State == serve.StateFailed && ev.Outcome == "failed" && ev.Job.Failures >= failures:
		j := ev.Job
		tags := j.Tags
		if tags == nil {
			tags = []string{}
		}
		return Body{Kind: KindJobFailed, Time: ev.Time.UTC(), Commit: j.Commit,
			Job: &Job{ID: j.ID, Repo: j.Repo, Tags: tags, Arch: j.Arch, Failures: j.Failures, Attempts: j.Attempts,
				Error: j.Error, Log: "/api/v1/jobs/" + j.ID + "/log"}}, true
	}
	return Body{}, false
}
