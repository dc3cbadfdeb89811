package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler"
)

// TestLookupVerdict checks which dry-run outcomes count as failed
// lookups, and that the error lists at most maxLookupLines of them.
func TestLookupVerdict(t *testing.T) {
	job := func(i int) *scheduler.Job {
		return &scheduler.Job{ID: fmt.Sprint(i), Tags: []string{fmt.Sprintf("foo:%d", i)}, Arch: "amd64"}
	}
	failed := func(i int) *scheduler.Outcome {
		return &scheduler.Outcome{Job: job(i), Status: scheduler.Failed, Err: &builder.LookupError{BuildID: "b", Err: fmt.Errorf("looking up foo:%d: 401", i)}}
	}
	line := func(i int) string { return fmt.Sprintf("  foo:%d (amd64): looking up foo:%d: 401", i, i) }
	notBuilt := &scheduler.Outcome{Job: job(100), Status: scheduler.Failed, Err: &builder.NotBuiltError{BuildID: "b"}}
	badJob := job(101)
	badJob.Err = errors.New("no such commit")
	planFailed := &scheduler.Outcome{Job: badJob, Status: scheduler.Failed, Err: badJob.Err}
	upToDate := &scheduler.Outcome{Job: job(102), Status: scheduler.UpToDate}
	many, manyLines := []*scheduler.Outcome{}, []string{}
	for i := range maxLookupLines + 2 {
		many = append(many, failed(i))
		if i < maxLookupLines {
			manyLines = append(manyLines, line(i))
		}
	}
	tests := []struct {
		name     string
		outcomes []*scheduler.Outcome
		lines    []string // the error's lines after the first; nil: no error
	}{
		{"none failed", []*scheduler.Outcome{notBuilt, planFailed, upToDate}, nil},
		{"one failed", []*scheduler.Outcome{notBuilt, failed(1), upToDate}, []string{line(1)}},
		{"more than are listed", many, append(manyLines, "  and 2 more")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := lookupVerdict(&scheduler.Report{Outcomes: tt.outcomes}, "reg/ns/staging")
			if tt.lines == nil || err == nil {
				if (tt.lines == nil) != (err == nil) {
					t.Errorf("lookupVerdict: %v; want an error: %v", err, tt.lines != nil)
				}
				return
			}
			if diff := cmp.Diff(tt.lines, strings.Split(err.Error(), "\n")[1:]); diff != "" {
				t.Errorf("lookupVerdict: lines (-want +got):\n%s", diff)
			}
		})
	}
}
