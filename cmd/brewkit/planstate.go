package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// jobState is what a registry says of a planned job.
type jobState struct {
	State   string // "up to date", "to build", "after its parents", or a problem
	BuildID string // known once every parent's digest is
	Image   string // the staged image, when up to date
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
	return report, states, nil
}

func stateOf(o *scheduler.Outcome) jobState {
	var nb *builder.NotBuiltError
	switch {
	case o.Status == scheduler.UpToDate:
		return jobState{State: "up to date", BuildID: o.Result.BuildID, Image: o.Result.Ref}
	case errors.As(o.Err, &nb):
		return jobState{State: "to build", BuildID: nb.BuildID}
	case o.Status == scheduler.Skipped && o.Job.Err == nil:
		return jobState{State: "after its parents"}
	case o.Err != nil:
		return jobState{State: o.Err.Error()}
	}
	return jobState{State: o.Status.String()}
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
