package timeline

import "time"

// Lane is one slot of a worker, with the jobs it ran, for a chart.
type Lane struct {
	Worker string
	Slot   int // from 1
	Jobs   []Bar
}

// Bar is a job's attempt on a lane, with its phases; times are from the
// start of the timeline.
type Bar struct {
	Job        string
	Start, End time.Duration
	Phases     []PhaseBar
}

// PhaseBar is a phase of a job's attempt.
type PhaseBar struct {
	Phase, Name string
	Start, End  time.Duration
}

// Lanes are the timeline's lanes, worker by worker, and how long it is
// from its first moment to its last.
func (r *Recorder) Lanes() ([]Lane, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t0 := r.origin()
	var span time.Duration
	var out []Lane
	for _, w := range r.workers() {
		ls := r.lanes(w)
		lanes := make([]Lane, ls.count)
		for i := range lanes {
			lanes[i] = Lane{Worker: w, Slot: i + 1}
		}
		for _, la := range ls.of {
			end := la.a.end
			if end.IsZero() {
				end = la.a.start
			}
			b := Bar{Job: la.job.job.String(), Start: la.a.start.Sub(t0), End: end.Sub(t0)}
			for _, sp := range la.a.spans() {
				b.Phases = append(b.Phases, PhaseBar{Phase: sp.phase, Name: sp.name,
					Start: maxTime(sp.start, la.a.start).Sub(t0), End: minTime(sp.end, end).Sub(t0)})
			}
			span = max(span, b.End)
			lanes[la.lane].Jobs = append(lanes[la.lane].Jobs, b)
		}
		out = append(out, lanes...)
	}
	for _, p := range r.publish {
		span = max(span, p.end.Sub(t0))
	}
	return out, span
}
