package main

import (
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/scheduler"
)

// Tag conflicts: a shared tag that entries give two images of one
// architecture cannot be published; plan reports it, and build reports
// it before building anything. Only that tag fails: the jobs involved are
// built, and their other tags published, since nothing else depends on
// which image the tag would hold.

// errTagConflicts is wrapped by the error of a build whose plan has tag
// conflicts.
var errTagConflicts = errors.New("tags given two images of one architecture are not published")

// conflictsError lists cs, one per line as "file:line: ..."; nil when
// there is none.
func conflictsError(cs []scheduler.TagConflict) error {
	if len(cs) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d tag conflict(s): these tags would get two images of one architecture, and cannot be published "+
		"(the jobs are built, and their other tags published):", len(cs))
	for _, c := range cs {
		msg += "\n  " + c.Error()
	}
	return errors.New(msg)
}

// planConflict is a tag conflict in `brewkit plan --format json`.
type planConflict struct {
	Repo    string             `json:"repo"`
	Tag     string             `json:"tag"`
	Arch    string             `json:"arch"`
	Entries []scheduler.Origin `json:"entries"`
	Error   string             `json:"error"`
}

func jsonConflicts(cs []scheduler.TagConflict) []planConflict {
	out := make([]planConflict, 0, len(cs))
	for _, c := range cs {
		out = append(out, planConflict{Repo: c.Repo, Tag: c.Tag, Arch: c.Arch, Entries: c.Entries, Error: c.Error()})
	}
	return out
}
