package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// BuildOptions tune one [Engine.Build].
type BuildOptions struct {
	// Progress, if set, shows the solves' progress; the caller closes it
	// once Build has returned.
	Progress *builder.Progress
	// Partial writes to the target's OCI layout the tags of which some
	// arch did not build, without it; by default they are held back, as
	// [Engine.Publish] holds them back in a registry.
	Partial bool
	// Observe, if set, is told when a job starts, is to be tried again,
	// and ends (see [scheduler.Runner]); it must not block for long.
	Observe func(scheduler.Event)
	// JobContext, if set, gives each attempt of a job its own context,
	// derived from ctx, and the func that releases it: a daemon cancels
	// one job with it.
	JobContext func(ctx context.Context, j *scheduler.Job) (context.Context, context.CancelFunc)
	// Logs, if set, opens each job attempt's own log, which Build writes
	// in plain text (as --progress plain shows the attempt) and closes;
	// see [builder.Executor.Logs]. A log that cannot be opened is noted
	// in Progress and does not fail the job.
	Logs func(ctx context.Context, job *scheduler.Job) (io.WriteCloser, error)
	// Admit, if set, gates each job that is not staged yet once its build
	// id is known: an error fails the job with it and skips its
	// descendants; see [builder.Executor.Admit]. A daemon keeps a job in
	// backoff with it. Nil admits every job.
	Admit func(job *scheduler.Job, buildID string) error
	// Pins, if set, pin external FROMs to images by digest instead of
	// what their tags name now; NoCache has BuildKit consult no cache.
	// Reproduce sets both (see [builder.Executor.Pins]).
	Pins    map[string]string
	NoCache bool
	// Timeline, if set, records where the build's time goes: the runner's
	// events (slot waits included) and each attempt's BuildKit progress.
	Timeline *timeline.Recorder
	// Pull is bashbrew build's --pull for the FROMs no job of the plan
	// builds (see [builder.Executor.Pull]): "missing" (or ""), "always" or
	// "never".
	Pull string
	// Load, if set, also sends every image built, as a docker-archive
	// tarball naming its tags, to the writer it opens: a Docker engine's
	// image load or a containerd import ([load.Loader]). See
	// [builder.Executor.Load].
	Load func(ctx context.Context) (io.WriteCloser, error)
}

// Build is what [Engine.Build] did.
type Build struct {
	// Report is every job's outcome, in plan order.
	Report *scheduler.Report
	// Layout is what was done with the tags in the target's OCI layout:
	// written, held back, written without an arch. Empty for a registry
	// target, whose tags [Engine.Publish] writes.
	Layout builder.TagSummary
}

// Build runs every job of p on the target's workers and keeps each image
// under its build id; with an OCI-layout target it then names the tags
// in the layout. A failed job fails only its descendants: Build's error
// is for a run that could not start or a layout that could not be
// written; the jobs' failures are in the report.
func (e *Engine) Build(ctx context.Context, p *scheduler.Plan, opts BuildOptions) (*Build, error) {
	if e.sources == nil {
		return nil, errNoSources
	}
	if err := e.target.canBuild(); err != nil {
		return nil, err
	}
	reg, err := e.registry.Reusing() // one ping and token per repository for the build's lookups
	if err != nil {
		return nil, err
	}
	exec := &builder.Executor{Staging: e.target.Staging, Layout: e.target.Layout, Registry: reg, Keychain: e.keychain,
		Cache: e.sources, Progress: opts.Progress, Locks: e.locks, Logs: opts.Logs, Admit: opts.Admit, SendContexts: e.send, LookupCache: e.found,
		Pins: opts.Pins, NoCache: opts.NoCache, Pull: opts.Pull, Load: opts.Load}
	if opts.Timeline != nil {
		exec.Status = opts.Timeline.Status
	}
	defer exec.Close()
	var ex scheduler.Executor = exec
	if opts.JobContext != nil {
		ex = jobContextExecutor{Executor: exec, context: opts.JobContext}
	}
	r := &scheduler.Runner{Pool: e.pool, Exec: ex, AllowEmulation: e.target.Emulate, WaitForWorkers: e.wait,
		Fair: e.fair, JobTimeout: e.timeout, Observe: e.observer(opts), ObserveReady: opts.Timeline != nil}
	b := &Build{Report: r.Run(ctx, p)}
	if l := e.target.Layout; l != nil {
		sum, err := l.Tag(ctx, b.Report, opts.Partial)
		if err != nil {
			return b, fmt.Errorf("OCI layout %s: %w", l.Dir(), err)
		}
		b.Layout = sum
	}
	return b, nil
}

// logEvent logs a job's start and end, and, as a warning, an attempt that
// failed and will be made again.
func (e *Engine) logEvent(ev scheduler.Event) {
	o := ev.Outcome
	switch {
	case ev.Retry:
		e.log.Warn("job failed; trying again", "job", o.Job.String(), "worker", o.Worker, "attempt", o.Attempts, "err", o.Err)
	case o.Status == scheduler.Pending:
		e.log.Debug("job started", "job", o.Job.String(), "worker", o.Worker, "attempt", o.Attempts)
	default:
		e.log.Info("job ended", "job", o.Job.String(), "status", o.Status.String(), "worker", o.Worker, "took", o.Duration(), "err", o.Err)
	}
}

// jobContextExecutor runs each attempt under the context its func gives.
type jobContextExecutor struct {
	scheduler.Executor
	context func(context.Context, *scheduler.Job) (context.Context, context.CancelFunc)
}

func (x jobContextExecutor) Build(ctx context.Context, w workers.Worker, j *scheduler.Job, parents []scheduler.ParentResult) (scheduler.Result, error) {
	ctx, release := x.context(ctx, j)
	defer release()
	return x.Executor.Build(ctx, w, j, parents)
}

// observer is what the runner tells of each job: the engine's log, the
// caller's Observe, the timeline. Ready events, which only the timeline
// asks for, go to it alone.
func (e *Engine) observer(opts BuildOptions) func(scheduler.Event) {
	return func(ev scheduler.Event) {
		if opts.Timeline != nil {
			opts.Timeline.Observe(ev)
		}
		if ev.Kind == scheduler.JobReady {
			return
		}
		e.logEvent(ev)
		if opts.Observe != nil {
			opts.Observe(ev)
		}
	}
}
