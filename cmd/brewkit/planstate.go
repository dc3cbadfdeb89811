package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// jobState is what a registry says of a planned job.
type jobState struct {
	State   string // "up to date", "to build", "after its parents", "lookup failed", "unknown (…)", or a problem
	BuildID string // known once every parent's digest is
	Image   string // the staged image, when up to date
	Problem string // why a lookup failed
}

// stagedStates looks every job up in the staging repositories, parents
// first, without building: the real runner with a dry-run executor.
func stagedStates(ctx context.Context, p *scheduler.Plan, cache *gitsource.Cache, staging string) (*scheduler.Report, map[*scheduler.Job]jobState, error) {
	exec := &builder.Executor{Staging: staging, Registry: builder.NewRegistry(), Cache: cache, DryRun: true}
	defer exec.Close()
	report := (&scheduler.Runner{Workers: lookupWorkers(p), Exec: exec, Attempts: 1}).Run(ctx, p)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	states := map[*scheduler.Job]jobState{}
	for _, o := range report.Outcomes {
		states[o.Job] = stateOf(o)
	}
	for j, st := range states {
		if st.State == stateAfterParents && afterFailedLookup(j, states) {
			states[j] = jobState{State: "unknown (after a failed lookup)"}
		}
	}
	return report, states, nil
}

// stateAfterParents is the state of a job whose build id waits for its
// parents' images.
const stateAfterParents = "after its parents"

// afterFailedLookup reports whether a parent of j, or a parent's parent,
// could not be looked up.
func afterFailedLookup(j *scheduler.Job, states map[*scheduler.Job]jobState) bool {
	for _, e := range j.Parents {
		if states[e.Job].State == "lookup failed" || afterFailedLookup(e.Job, states) {
			return true
		}
	}
	return false
}

func stateOf(o *scheduler.Outcome) jobState {
	var nb *builder.NotBuiltError
	var le *builder.LookupError
	switch {
	case o.Status == scheduler.UpToDate:
		return jobState{State: "up to date", BuildID: o.Result.BuildID, Image: o.Result.Ref}
	case errors.As(o.Err, &nb):
		return jobState{State: "to build", BuildID: nb.BuildID}
	case errors.As(o.Err, &le):
		return jobState{State: "lookup failed", BuildID: le.BuildID, Problem: o.Err.Error()}
	case o.Status == scheduler.Skipped && o.Job.Err == nil:
		return jobState{State: stateAfterParents}
	case o.Status == scheduler.Failed && o.Job.Err == nil:
		return jobState{State: "lookup failed", Problem: o.Err.Error()} // of a FROM outside the plan
	case o.Err != nil:
		return jobState{State: o.Err.Error()}
	}
	return jobState{State: o.Status.String()}
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
