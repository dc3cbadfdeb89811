package builder

import (
	"fmt"
	"strings"

	"github.com/brewkit/brewkit/builder/publish"
)

// TagSummary is what [Layout.Tag] did with the tags of a report, each
// list in library order (the tags of each entry, then shared tags).
type TagSummary struct {
	// Written are the tags written into index.json: "repo:tag".
	Written []string
	// Held are the tags not written: an image is missing and partial was
	// not asked for, none is left, or entries give the tag two images of
	// one architecture.
	Held []IncompleteTag
	// Partial are the tags of Written that were written without some of
	// their images, since partial was asked for.
	Partial []IncompleteTag
}

// IncompleteTag is a tag some of whose images are missing, or that
// cannot be written at all.
type IncompleteTag struct {
	Tag string // "repo:tag"
	// Missing are the images whose job failed, was skipped or cancelled:
	// each has its Job, its Status and its Err.
	Missing []publish.Member
	// Err is set when the tag cannot be written whatever is built:
	// entries give it two images of one architecture (a
	// [scheduler.TagConflict]).
	Err error
}

func incompleteTag(t publish.Target) IncompleteTag {
	return IncompleteTag{Tag: t.Ref, Missing: t.Missing, Err: t.Err}
}

// String says which tag and why: "foo:1: job foo:1 (s390x) failed", or
// the tag and its Err.
func (t IncompleteTag) String() string {
	if t.Err != nil {
		return t.Tag + ": " + t.Err.Error()
	}
	if len(t.Missing) == 0 {
		return t.Tag + ": no image"
	}
	jobs := make([]string, len(t.Missing))
	for i, m := range t.Missing {
		jobs[i] = fmt.Sprintf("job %s %s", m.Job, m.Status)
	}
	return t.Tag + ": " + strings.Join(jobs, ", ")
}
