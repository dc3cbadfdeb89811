package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/brewkit/brewkit/scheduler"
)

// Summary is where a build's time went.
type Summary struct {
	Makespan time.Duration
	// Critical is the chain of jobs that decided the makespan, first to
	// last: the job that ended last, its parent that ended last, and so on.
	Critical []Link
	// Phases are the time of every job in each phase, summed over jobs,
	// in the order of [Phases]; a phase of no time is left out.
	Phases []Share
}

// Link is a job of the critical path: how long it waited after its
// parents (or the start) for a slot, and how long it ran.
type Link struct {
	Job    string
	Worker string
	Wait   time.Duration
	Took   time.Duration
}

// Share is a phase's time and its share of all the jobs' time.
type Share struct {
	Phase string
	Time  time.Duration
	Share float64 // 0 to 1
}

// Summary is where the time of report's build went.
func (r *Recorder) Summary(report *scheduler.Report) Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Summary{Makespan: report.End.Sub(report.Start), Critical: critical(report)}
	totals := map[string]time.Duration{}
	var all time.Duration
	for _, jr := range r.order {
		if len(jr.attempts) > 0 && !jr.ready.IsZero() {
			totals[PhaseWait] += jr.attempts[0].start.Sub(jr.ready)
		}
		for _, a := range jr.attempts {
			for p, d := range a.phaseTimes() {
				totals[p] += d
			}
		}
	}
	for _, d := range totals {
		all += d
	}
	for _, p := range Phases {
		if d := totals[p]; d > 0 {
			s.Phases = append(s.Phases, Share{Phase: p, Time: d, Share: float64(d) / float64(all)})
		}
	}
	return s
}

// phaseTimes is how long a spent in each phase: the union of its spans
// of that phase, within the attempt, taken in the order of Phases so that
// a moment counts once; "other" is the rest of the attempt.
func (a *attempt) phaseTimes() map[string]time.Duration {
	out := map[string]time.Duration{}
	if a.end.IsZero() {
		return out
	}
	var covered []interval
	for _, p := range []string{PhasePush, PhaseExport, PhaseStep, PhaseSource} {
		var ivs []interval
		for _, sp := range a.spans() {
			if sp.phase == p {
				ivs = append(ivs, interval{maxTime(sp.start, a.start), minTime(sp.end, a.end)})
			}
		}
		own := subtract(union(ivs), covered)
		out[p] = length(own)
		covered = union(append(covered, own...))
	}
	out[PhaseOther] = a.end.Sub(a.start) - length(covered)
	return out
}

// critical is the chain of jobs, last to end first, each with the parent
// that ended last, reversed.
func critical(report *scheduler.Report) []Link {
	byJob := map[*scheduler.Job]*scheduler.Outcome{}
	var last *scheduler.Outcome
	for _, o := range report.Outcomes {
		byJob[o.Job] = o
		if !o.Start.IsZero() && (last == nil || o.End.After(last.End)) {
			last = o
		}
	}
	var chain []Link
	for o := last; o != nil; {
		var parent *scheduler.Outcome
		for _, e := range o.Job.Parents {
			if p := byJob[e.Job]; p != nil && !p.Start.IsZero() && (parent == nil || p.End.After(parent.End)) {
				parent = p
			}
		}
		from := report.Start
		if parent != nil {
			from = parent.End
		}
		chain = append(chain, Link{Job: o.Job.String(), Worker: o.Worker, Wait: o.Start.Sub(from), Took: o.Duration()})
		o = parent
	}
	slices.Reverse(chain)
	return chain
}

// String is the summary as brewkit build prints it.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "critical path (%s of the %s makespan):\n", s.critical().Round(10*time.Millisecond), s.Makespan.Round(10*time.Millisecond))
	for _, l := range s.Critical {
		fmt.Fprintf(&b, "  %-40s on %-10s waited %6s, took %6s\n", l.Job, l.Worker, l.Wait.Round(10*time.Millisecond), l.Took.Round(10*time.Millisecond))
	}
	b.WriteString("time by phase, over all jobs:\n")
	for _, p := range s.Phases {
		fmt.Fprintf(&b, "  %-20s %8s  %5.1f%%\n", p.Phase, p.Time.Round(10*time.Millisecond), 100*p.Share)
	}
	return b.String()
}

// critical is the time of the critical path: its waits and runs.
func (s Summary) critical() time.Duration {
	var d time.Duration
	for _, l := range s.Critical {
		d += l.Wait + l.Took
	}
	return d
}
