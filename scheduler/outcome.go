package scheduler

import (
	"fmt"
	"time"
)

// Status is how a job ended.
type Status int

const (
	Pending   Status = iota // not run (yet)
	Built                   // built now
	UpToDate                // already built by an earlier run
	Failed                  // failed, or could not be planned
	Skipped                 // not run: a parent failed, or no worker builds its arch
	Cancelled               // not run or interrupted: the run was cancelled
)

func (s Status) String() string {
	switch s {
	case Built:
		return "built"
	case UpToDate:
		return "up to date"
	case Failed:
		return "failed"
	case Skipped:
		return "skipped"
	case Cancelled:
		return "cancelled"
	}
	return "pending"
}

// Outcome is what happened to one job.
type Outcome struct {
	Job      *Job
	Status   Status
	Result   Result
	Err      error  // why it failed, was skipped or cancelled
	Worker   string // the worker of the last attempt
	Attempts int
	Start    time.Time // of the last attempt
	End      time.Time
}

// Duration is how long the last attempt took.
func (o *Outcome) Duration() time.Duration { return o.End.Sub(o.Start) }

// Report is the outcome of every job of a plan, in plan order.
type Report struct {
	Outcomes []*Outcome
	Start    time.Time
	End      time.Time
}

// Count returns how many jobs ended with s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Status == s {
			n++
		}
	}
	return n
}

// Err summarises the failures, or is nil when every job was built, up to
// date or skipped for want of a worker.
func (r *Report) Err() error {
	failed, skipped, cancelled := r.Count(Failed), 0, r.Count(Cancelled)
	for _, o := range r.Outcomes {
		if o.Status == Skipped && o.Err != nil && !isNoWorker(o.Err) {
			skipped++
		}
	}
	if failed+skipped+cancelled == 0 {
		return nil
	}
	return fmt.Errorf("%d failed, %d skipped because of them, %d cancelled", failed, skipped, cancelled)
}
