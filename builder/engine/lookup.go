package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// States of a job that [Engine.Lookup] reports.
const (
	StateUpToDate     = "up to date"        // staged under its build id
	StateToBuild      = "to build"          // its build id is not staged
	StateAfterParents = "after its parents" // its build id waits for its parents' images
	StateLookupFailed = "lookup failed"     // the registry did not answer; see JobState.Problem
	// StateUnknown is the state of a job built FROM one whose lookup failed.
	StateUnknown = "unknown (after a failed lookup)"
)

// JobState is what the staging registry says of a planned job.
type JobState struct {
	State   string // one of the State constants, or the job's own problem
	BuildID string // known once every parent's digest is
	Image   string // the staged image, when up to date
	Problem string // why a lookup failed
}

// Lookup is the answer of [Engine.Lookup].
type Lookup struct {
	// Report is the dry run's: a job up to date has its staged image, one
	// to build fails with a *[builder.NotBuiltError]. [Engine.Publish]
	// takes it to show the indexes that would be written.
	Report *scheduler.Report
	// States are the jobs' states.
	States map[*scheduler.Job]JobState
	// Err, when set, lists the lookups that failed.
	Err error
}

// Lookup looks every job of p up in the target's staging repositories,
// parents first, without building: the real runner with a dry-run
// executor. It fails only when ctx is done; lookups that fail are in
// the answer's Err.
func (e *Engine) Lookup(ctx context.Context, p *scheduler.Plan) (*Lookup, error) {
	if e.target.Staging == "" {
		return nil, errors.New("no registry to look builds up in: give a staging prefix or a registry")
	}
	reg, err := e.registry.Reusing() // one ping and token per repository for all the lookups
	if err != nil {
		return nil, err
	}
	exec := &builder.Executor{Staging: e.target.Staging, Registry: reg, Keychain: e.keychain, Cache: e.sources, DryRun: true, LookupCache: e.found}
	defer exec.Close()
	report := (&scheduler.Runner{Workers: lookupWorkers(p), Exec: exec, Attempts: 1}).Run(ctx, p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	states := map[*scheduler.Job]JobState{}
	for _, o := range report.Outcomes {
		states[o.Job] = stateOf(o)
	}
	for j, st := range states {
		if st.State == StateAfterParents && afterFailedLookup(j, states) {
			states[j] = JobState{State: StateUnknown}
		}
	}
	return &Lookup{Report: report, States: states, Err: lookupVerdict(report, e.target.Staging)}, nil
}

// afterFailedLookup reports whether a parent of j, or a parent's parent,
// could not be looked up.
func afterFailedLookup(j *scheduler.Job, states map[*scheduler.Job]JobState) bool {
	for _, e := range j.Parents {
		if states[e.Job].State == StateLookupFailed || afterFailedLookup(e.Job, states) {
			return true
		}
	}
	return false
}

func stateOf(o *scheduler.Outcome) JobState {
	var nb *builder.NotBuiltError
	var le *builder.LookupError
	switch {
	case o.Status == scheduler.UpToDate:
		return JobState{State: StateUpToDate, BuildID: o.Result.BuildID, Image: o.Result.Ref}
	case errors.As(o.Err, &nb):
		return JobState{State: StateToBuild, BuildID: nb.BuildID}
	case errors.As(o.Err, &le):
		return JobState{State: StateLookupFailed, BuildID: le.BuildID, Problem: o.Err.Error()}
	case o.Status == scheduler.Skipped && o.Job.Err == nil:
		return JobState{State: StateAfterParents}
	case o.Status == scheduler.Failed && o.Job.Err == nil:
		return JobState{State: StateLookupFailed, Problem: o.Err.Error()} // of a FROM outside the plan
	case o.Err != nil:
		return JobState{State: o.Err.Error()}
	}
	return JobState{State: o.Status.String()}
}

// maxLookupLines bounds the failures lookupVerdict lists.
const maxLookupLines = 10

// lookupVerdict is the error of the lookups of a dry run that failed,
// nil when none did: how many, and what failed for the first few jobs,
// each naming the image looked up.
func lookupVerdict(r *scheduler.Report, staging string) error {
	var lines []string
	failed := 0
	for _, o := range r.Outcomes {
		var nb *builder.NotBuiltError
		if o.Job.Err != nil || o.Status != scheduler.Failed || errors.As(o.Err, &nb) {
			continue
		}
		if failed++; failed <= maxLookupLines {
			lines = append(lines, fmt.Sprintf("  %s: %v", o.Job, o.Err))
		}
	}
	if failed == 0 {
		return nil
	}
	if failed > maxLookupLines {
		lines = append(lines, fmt.Sprintf("  and %d more", failed-maxLookupLines))
	}
	return fmt.Errorf("looking up builds in %s failed for %d of %d jobs, so their states, and those of the jobs built FROM them, are unknown:\n%s",
		staging, failed, len(r.Outcomes), strings.Join(lines, "\n"))
}

// lookupWorkers gives every arch of the plan a worker with room for many
// lookups at once; a dry run talks only to the registry.
func lookupWorkers(p *scheduler.Plan) []workers.Worker {
	seen := map[string]bool{}
	var ws []workers.Worker
	for _, j := range p.Jobs {
		if !seen[j.Arch] {
			seen[j.Arch] = true
			ws = append(ws, workers.Worker{Name: fmt.Sprintf("lookup-%s", j.Arch), Arches: []string{j.Arch}, Concurrency: 16})
		}
	}
	return ws
}
