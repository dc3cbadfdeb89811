package serve

import (
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// EventKind is what an [Event] reports.
type EventKind string

// The kinds of Event, and what each carries besides Kind and Time.
const (
	// JobQueued: a job is ready and waits for a worker slot, at the
	// start of a run, once its parents are built, or again after an
	// attempt a worker lost. Job is the job after the change.
	JobQueued EventKind = "job-queued"
	// JobStarted: an attempt of a job starts on Job.Worker (a lookup
	// of the registry too: most jobs of a run are found staged).
	// Job.Start-Job.Queued is how long it waited for a slot.
	JobStarted EventKind = "job-started"
	// JobEnded: a job ended: Job.State is succeeded, failed, backoff
	// (held back by its backoff), cancelled or skipped, and Outcome
	// says how the scheduler saw it. Job.End-Job.Start is how long its
	// last attempt took; Job.Failures counts its build's failures in a
	// row, this one included.
	JobEnded EventKind = "job-ended"
	// Synced: a poll of the source ended: Commit is the head it found
	// ("" when it failed), Took how long the poll took (and the
	// planning, on a new commit), Err why it failed.
	Synced EventKind = "synced"
	// TagPublished: an index was written: Tag, as the store keeps it.
	// An index found up to date is not published again.
	TagPublished EventKind = "tag-published"
	// Published: a run's publish ended: Indexes counts its indexes by
	// [publish.Action] name, Retries the registry requests it sent
	// again, Err why it failed.
	Published EventKind = "published"
	// RunEnded: a run ended: its jobs have ended, its publish is done,
	// and Run is as the store keeps it.
	RunEnded EventKind = "run-ended"
)

// Event is what [Options.Observe] is told: a job's state changed, a
// sync, a publish or a run ended. Kind says which fields are set.
type Event struct {
	Kind EventKind
	Time time.Time
	// Job is the job after the change, of JobQueued, JobStarted and
	// JobEnded. Its slices are shared: do not modify them.
	Job store.Job
	// Outcome is the scheduler's status of the job of JobEnded:
	// "built", "up to date", "failed", "skipped" or "cancelled"; empty
	// for a job that ended without running (held back, or a run cut).
	Outcome string
	// Commit is the commit of Synced.
	Commit string
	// Took is how long the sync of Synced took.
	Took time.Duration
	// Err is why the sync of Synced or the publish of Published failed.
	Err error
	// Tag is the publication of TagPublished.
	Tag store.Tag
	// Indexes and Retries are the publish of Published: its indexes by
	// action ("written", "up to date", "blocked", "failed"), and the
	// registry requests sent again.
	Indexes map[string]int
	Retries int
	// Run is the run of RunEnded.
	Run store.Run
}

// Observers returns an Options.Observe that tells each of obs every
// event, in order; nil ones are left out.
func Observers(obs ...func(Event)) func(Event) {
	var all []func(Event)
	for _, o := range obs {
		if o != nil {
			all = append(all, o)
		}
	}
	return func(ev Event) {
		for _, o := range all {
			o(ev)
		}
	}
}

// emit tells Options.Observe of ev, if set, stamping it with the time.
func (d *Daemon) emit(ev Event) {
	if d.opts.Observe == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	d.opts.Observe(ev)
}

// jobEventKind is the kind of event a job moving from state was to now
// makes: none when it stays in the same kind of state (failed then
// backoff are both ended), or moves to waiting.
func jobEventKind(was, now string) (EventKind, bool) {
	kind := func(state string) EventKind {
		switch state {
		case StateQueued:
			return JobQueued
		case StateRunning:
			return JobStarted
		case StateSucceeded, StateFailed, StateBackoff, StateCancelled, StateSkipped:
			return JobEnded
		}
		return ""
	}
	k := kind(now)
	return k, k != "" && k != kind(was)
}
