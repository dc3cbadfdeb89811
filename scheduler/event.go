package scheduler

// EventKind is what an [Event] reports.
type EventKind int

const (
	// JobReady: the job's parents are all done and it waits for a slot
	// (it is queued). Only sent with Runner.ObserveReady. Until then a
	// job waits for its parents; a job that fails or is skipped before
	// it is ready gets only JobEnded.
	JobReady EventKind = iota + 1
	// JobStarted: an attempt starts (Outcome.Status is Pending and
	// Outcome.End is zero; Outcome.Worker and Outcome.Attempts say where
	// and which).
	JobStarted
	// JobRetry: the attempt failed (Outcome.Err says why) and the job is
	// queued again, to be tried on another worker or when this one is
	// back; Event.Retry is set too.
	JobRetry
	// JobEnded: the job ended (Outcome.Status is not Pending).
	JobEnded
)

func (k EventKind) String() string {
	switch k {
	case JobReady:
		return "ready"
	case JobStarted:
		return "started"
	case JobRetry:
		return "retry"
	case JobEnded:
		return "ended"
	}
	return "unknown"
}

// Event is what Runner.Observe is told: a job queued, starting, failed
// and queued again, or ended. A job's events come in this order: Ready
// (with Runner.ObserveReady), then Started and Retry for each failed
// attempt, then Started and Ended; a job that never runs gets Ended
// only (after Ready if it was queued). A daemon shows a job as waiting
// (for its parents) until Ready, queued until Started or after Retry,
// running until Retry or Ended.
//
// Callers written before Kind tell a start by Outcome.Status == Pending
// and a retry by Retry; both still hold, and Ready events, which also
// have Status Pending, are only sent to those who ask for them.
type Event struct {
	Kind    EventKind
	Outcome *Outcome // the job's, updated as it runs: read it in Observe
	Retry   bool     // Kind is JobRetry
}
