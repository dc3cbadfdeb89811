package timeline

import "time"

// AttemptTimes is where one attempt's time went: in all, by phase, and
// step by step.
type AttemptTimes struct {
	Job    string
	Worker string
	Took   time.Duration
	Phases map[string]time.Duration // see [Phases]; a moment counts once
	Steps  []Step                   // the Dockerfile's, by start
}

// Step is a Dockerfile step of an attempt and how long it took.
type Step struct {
	Name   string
	Took   time.Duration
	Cached bool
}

// Attempts are the times of every attempt that ended, in the order jobs
// were first seen.
func (r *Recorder) Attempts() []AttemptTimes {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []AttemptTimes
	for _, jr := range r.order {
		for _, a := range jr.attempts {
			if a.end.IsZero() {
				continue
			}
			at := AttemptTimes{Job: jr.job.String(), Worker: a.worker, Took: a.end.Sub(a.start), Phases: a.phaseTimes()}
			for _, sp := range a.spans() {
				if sp.phase == PhaseStep {
					at.Steps = append(at.Steps, Step{Name: sp.name, Took: sp.end.Sub(sp.start), Cached: sp.cached})
				}
			}
			out = append(out, at)
		}
	}
	return out
}
