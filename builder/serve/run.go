package serve

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

// flushEvery is how often a run writes the jobs whose state changed.
const flushEvery = 250 * time.Millisecond

// run builds st's plan once: the jobs staged already are found up to
// date, those in backoff are held back (and their descendants wait),
// the rest are built; then the complete tags are published and the next
// run is set for the earliest backoff's end.
func (d *Daemon) run(ctx context.Context, st *state) {
	start := time.Now()
	runID, err := d.opts.Store.StartRun(store.Run{Commit: st.commit, Start: start})
	if err != nil {
		d.log.Error("store: starting a run", "err", err)
		return
	}
	st.begin(runID)
	d.forgetStale(st)
	stop := d.flushLoop(st)
	rec := timeline.New()
	b, err := d.opts.Engine.Build(ctx, st.plan, engine.BuildOptions{
		Admit:      d.admit(st),
		Logs:       d.openLog(st),
		Observe:    d.observe(st),
		JobContext: d.jobContext(st),
		Timeline:   rec,
	})
	var runErr error
	if err == nil {
		d.finish(st, b.Report)
		pubStart := time.Now()
		runErr = d.publish(ctx, st, runID, b.Report)
		rec.Publish(pubStart, time.Now())
		d.keepTimeline(&RunTimeline{RunID: runID, Commit: st.commit, Recorder: rec, Report: b.Report})
	} else {
		runErr = err
		d.log.Error("run failed", "commit", st.commit, "err", err)
	}
	stop()
	run := store.Run{ID: runID, Commit: st.commit, Start: start, End: time.Now(), Counts: counts(st)}
	if runErr != nil {
		run.Err = runErr.Error()
	}
	if err := d.opts.Store.EndRun(run); err != nil {
		d.log.Error("store: ending a run", "err", err)
	}
	d.setWake(st)
	if n, err := d.opts.Logs.Prune(d.opts.LogCount, d.opts.LogAge); err != nil {
		d.log.Warn("pruning job logs", "err", err)
	} else if n > 0 {
		d.log.Info("pruned job logs", "removed", n)
	}
	d.emit(Event{Kind: RunEnded, Run: run})
}

// flushLoop writes st's changed jobs every flushEvery until the returned
// func is called, which writes the last ones.
func (d *Daemon) flushLoop(st *state) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				d.flush(st)
			case <-done:
				d.flush(st)
				return
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (d *Daemon) flush(st *state) {
	if jobs := st.takeDirty(); len(jobs) > 0 {
		if err := d.opts.Store.PutJobs(jobs...); err != nil {
			d.log.Error("store: writing jobs", "err", err)
		}
	}
}

// forgetStale deletes the stored jobs that are no longer in the plan.
func (d *Daemon) forgetStale(st *state) {
	stored, err := d.opts.Store.Jobs(store.JobFilter{})
	if err != nil {
		d.log.Error("store: listing jobs", "err", err)
		return
	}
	keep := st.ids()
	var stale []string
	for _, j := range stored {
		if !keep[j.ID] {
			stale = append(stale, j.ID)
		}
	}
	if err := d.opts.Store.DeleteJobs(stale...); err != nil {
		d.log.Error("store: deleting jobs", "err", err)
	}
}

// observe follows the runner's events: a job starts running, is queued
// again for another attempt, or ends; a job that succeeds queues the
// children whose parents have all succeeded. Each change that makes an
// [Event] is told to Options.Observe by the state.
func (d *Daemon) observe(st *state) func(scheduler.Event) {
	return func(ev scheduler.Event) {
		o := ev.Outcome
		switch {
		case ev.Retry:
			st.update(o.Job, func(sj *store.Job) { sj.State, sj.Error, sj.Queued = StateQueued, o.Err.Error(), time.Now() })
		case o.Status == scheduler.Pending:
			st.update(o.Job, func(sj *store.Job) {
				sj.State, sj.Worker, sj.Attempts, sj.Start, sj.End = StateRunning, o.Worker, o.Attempts, o.Start, time.Time{}
			})
		default:
			st.change(o.Job, o.Status.String(), func(sj *store.Job) { ended(sj, o) })
			if o.Status == scheduler.Built || o.Status == scheduler.UpToDate {
				d.queueChildren(st, o.Job)
			}
		}
	}
}

// ended records in sj that its job ended as o says: its state, end and
// error, and, for a build that failed, one more failure in a row.
// ended sets what the API shows of an ended job, whole at once: its
// build id and image with its state, not only at the run's end.
func ended(sj *store.Job, o *scheduler.Outcome) {
	sj.State, sj.End, sj.Error = endState(o), o.End, ""
	sj.Worker, sj.Attempts = o.Worker, o.Attempts
	sj.BuildID, sj.Digest, sj.Image = o.Result.BuildID, o.Result.Digest, o.Result.Ref
	if o.Err != nil {
		sj.Error = o.Err.Error()
	}
	var held *BackoffError
	if o.Status == scheduler.Failed && o.Job.Err == nil && !errors.As(o.Err, &held) {
		sj.Failures++
	}
}

// queueChildren marks the children of j whose parents all succeeded as
// queued.
func (d *Daemon) queueChildren(st *state, j *scheduler.Job) {
	for _, c := range j.Children {
		ready := true
		for _, e := range c.Parents {
			if sj, _ := st.job(e.Job); sj.State != StateSucceeded {
				ready = false
			}
		}
		if ready {
			st.update(c, func(sj *store.Job) { sj.State, sj.Queued = StateQueued, time.Now() })
		}
	}
}

// finish records how each job of report ended: its build id, digest,
// record and error, and for a failed build its next attempt.
func (d *Daemon) finish(st *state, report *scheduler.Report) {
	rec := record.FromReport(report)
	now := time.Now()
	for i, o := range report.Outcomes {
		raw, _ := json.Marshal(rec.Jobs[i])
		if st.wasCancelled(o.Job.ID) {
			st.update(o.Job, func(sj *store.Job) { sj.State, sj.Error, sj.Record = StateCancelled, errCancelled.Error(), raw })
			continue
		}
		b, backoff := d.backoffAfter(o, now)
		st.update(o.Job, func(sj *store.Job) {
			sj.State, sj.BuildID, sj.Digest, sj.Image, sj.Record = endState(o), o.Result.BuildID, o.Result.Digest, o.Result.Ref, raw
			sj.Worker, sj.Attempts, sj.Error, sj.NextAttempt = o.Worker, o.Attempts, "", time.Time{}
			if o.Err != nil {
				sj.Error = o.Err.Error()
			}
			switch {
			case backoff:
				sj.State, sj.NextAttempt, sj.Failures = StateBackoff, b.Next, b.Count
			case sj.State == StateSucceeded:
				sj.Failures = 0
			}
		})
	}
}

// backoffAfter updates the backoff of o's build and returns it, with
// its count of failures and when it is to be tried again, if it is to
// back off: a build that failed backs off by the schedule; one held back
// by its backoff keeps it; one that succeeded clears it.
func (d *Daemon) backoffAfter(o *scheduler.Outcome, now time.Time) (store.Backoff, bool) {
	var held *BackoffError
	key := backoffKey(o)
	switch {
	case errors.As(o.Err, &held):
		return store.Backoff{Count: held.Count, Next: held.Next}, true
	case o.Job.Err != nil:
		return store.Backoff{}, false // not planned: a new commit must fix it
	case o.Status == scheduler.Built || o.Status == scheduler.UpToDate:
		if err := d.opts.Store.ClearBackoff(key, o.Job.Arch); err != nil {
			d.log.Error("store: clearing a backoff", "err", err)
		}
		return store.Backoff{}, false
	case o.Status != scheduler.Failed:
		return store.Backoff{}, false
	}
	b, _, err := d.opts.Store.Backoff(key, o.Job.Arch)
	if err != nil {
		d.log.Error("store: reading a backoff", "err", err)
	}
	if b.Count == 0 {
		b = store.Backoff{BuildID: key, Arch: o.Job.Arch, First: now}
	}
	b.Count++
	b.Last, b.Err = now, o.Err.Error()
	b.Next = d.opts.Schedule.Next(b.Count, now)
	if err := d.opts.Store.PutBackoff(b); err != nil {
		d.log.Error("store: writing a backoff", "err", err)
	}
	d.log.Info("job failed; backing off", "job", o.Job.String(), "attempt", b.Count, "next", b.Next, "err", o.Err)
	return b, true
}

// counts is how many of st's jobs are in each state.
func counts(st *state) map[string]int {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := map[string]int{}
	for _, sj := range st.jobs {
		c[sj.State]++
	}
	return c
}

// backoffKey is what a failure backs off by: the build id, or, for a job
// that failed before it had one (a FROM that could not be resolved), the
// job's id.
func backoffKey(o *scheduler.Outcome) string {
	if o.Result.BuildID != "" {
		return o.Result.BuildID
	}
	return "job " + o.Job.ID
}
