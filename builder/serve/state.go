package serve

import (
	"slices"
	"sync"
	"time"

	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// state is a plan of the library and what became of each of its jobs,
// as the store keeps them: changes are marked dirty and written in
// batches, so that the runner's events never wait for a disk write.
type state struct {
	plan   *scheduler.Plan
	commit string
	emit   func(Event) // told of the events the changes of jobs make

	mu         sync.Mutex
	runID      uint64
	jobs       map[*scheduler.Job]*store.Job
	dirty      map[*scheduler.Job]bool
	cancels    map[string]func() // of the running jobs, by job id
	cancelled  map[string]bool   // the jobs cancelled by a request, by job id
	published  *publish.Summary  // of the last run's publish
	publishErr error
}

func newState(p *scheduler.Plan, commit string, runID uint64, emit func(Event)) *state {
	st := &state{plan: p, commit: commit, runID: runID, emit: emit, jobs: map[*scheduler.Job]*store.Job{},
		dirty: map[*scheduler.Job]bool{}, cancels: map[string]func(){}, cancelled: map[string]bool{}}
	if p == nil {
		return st
	}
	for _, j := range p.Jobs {
		st.jobs[j] = newJob(j, commit)
	}
	return st
}

// newJob is j as the store keeps it, before it runs.
func newJob(j *scheduler.Job, commit string) *store.Job {
	sj := &store.Job{ID: j.ID, Tags: j.Tags, Arch: j.Arch, Platform: j.Platform, Commit: commit, State: StateQueued}
	for _, o := range j.Origins {
		if !slices.Contains(sj.Repos, o.Repo) {
			sj.Repos = append(sj.Repos, o.Repo)
		}
	}
	if len(sj.Repos) > 0 {
		sj.Repo = sj.Repos[0]
	}
	if j.Err != nil {
		sj.State, sj.Error = StateFailed, j.Err.Error()
	}
	return sj
}

// begin starts run runID: every job is waiting for its parents, or
// queued, keeping what earlier runs learnt (attempts, build id, digest).
func (st *state) begin(runID uint64) {
	st.mu.Lock()
	st.runID = runID
	clear(st.cancelled)
	now := time.Now()
	var events []Event
	for j, sj := range st.jobs {
		sj.RunID, sj.Queued = runID, now
		switch {
		case j.Err != nil:
			sj.State = StateFailed
		case len(j.Parents) > 0:
			sj.State = StateWaiting
		default:
			sj.State = StateQueued
		}
		st.dirty[j] = true
		if sj.State == StateQueued { // queued for this run, even if it was before
			events = append(events, Event{Kind: JobQueued, Time: now, Job: *sj})
		}
	}
	st.mu.Unlock()
	for _, ev := range events {
		st.emit(ev)
	}
}

// update changes the job of j with fn and marks it to be written.
func (st *state) update(j *scheduler.Job, fn func(*store.Job)) { st.change(j, "", fn) }

// change is update, and tells st.emit of the event the change makes, if
// any (see [jobEventKind]), with outcome as its Outcome. The event is a
// copy of the job made under the lock fn runs under, sent once it is
// released.
func (st *state) change(j *scheduler.Job, outcome string, fn func(*store.Job)) {
	st.mu.Lock()
	sj, ok := st.jobs[j]
	if !ok {
		st.mu.Unlock()
		return
	}
	was := sj.State
	fn(sj)
	st.dirty[j] = true
	kind, changed := jobEventKind(was, sj.State)
	var ev Event
	if changed {
		ev = Event{Kind: kind, Time: time.Now(), Job: *sj, Outcome: outcome}
	}
	st.mu.Unlock()
	if changed {
		st.emit(ev)
	}
}

// job returns a copy of the job of j.
func (st *state) job(j *scheduler.Job) (store.Job, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sj, ok := st.jobs[j]
	if !ok {
		return store.Job{}, false
	}
	return *sj, true
}

// takeDirty returns copies of the jobs changed since the last call.
func (st *state) takeDirty() []store.Job {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]store.Job, 0, len(st.dirty))
	for j := range st.dirty {
		out = append(out, *st.jobs[j])
	}
	clear(st.dirty)
	return out
}

// ids is the set of the plan's job ids.
func (st *state) ids() map[string]bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := make(map[string]bool, len(st.jobs))
	for j := range st.jobs {
		ids[j.ID] = true
	}
	return ids
}

// nextAttempt is the earliest next attempt of a job in backoff, if any.
func (st *state) nextAttempt() (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var next time.Time
	for _, sj := range st.jobs {
		if sj.State == StateBackoff && (next.IsZero() || sj.NextAttempt.Before(next)) {
			next = sj.NextAttempt
		}
	}
	return next, !next.IsZero()
}

// wasCancelled reports whether the job id was cancelled by a request in
// this run.
func (st *state) wasCancelled(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.cancelled[id]
}

// cancel cancels the running job id, reporting whether it was running.
func (st *state) cancel(id string) bool {
	st.mu.Lock()
	cancel, ok := st.cancels[id]
	if ok {
		st.cancelled[id] = true
	}
	st.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}
