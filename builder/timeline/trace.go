package timeline

import (
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"
)

// event is one Chrome trace event: a complete span ("X") or metadata
// ("M") naming a process or a thread.
type event struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"` // microseconds from the build's start
	Dur  float64        `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// The processes of the trace: the scheduler's waits, each worker, the
// publish.
const schedulerPid = 0

// WriteTrace writes the timeline as Chrome trace-event JSON.
func (r *Recorder) WriteTrace(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	t0 := r.origin()
	us := func(t time.Time) float64 { return float64(t.Sub(t0).Microseconds()) }
	dur := func(a, b time.Time) float64 { return float64(b.Sub(a).Microseconds()) }
	var evs []event
	meta := func(pid, tid int, kind, name string) {
		evs = append(evs, event{Name: kind, Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"name": name}})
	}
	meta(schedulerPid, 0, "process_name", "waiting for a slot")
	workers := r.workers()
	for i, name := range workers {
		meta(i+1, 0, "process_name", "worker "+name)
	}
	publishPid := len(workers) + 1
	for i, jr := range r.order {
		if jr.ready.IsZero() || len(jr.attempts) == 0 {
			continue
		}
		first := jr.attempts[0].start
		meta(schedulerPid, i, "thread_name", jr.job.String())
		evs = append(evs, event{Name: jr.job.String(), Cat: PhaseWait, Ph: "X", Ts: us(jr.ready), Dur: dur(jr.ready, first), Pid: schedulerPid, Tid: i})
	}
	for wi, name := range workers {
		lanes := r.lanes(name)
		for lane := range lanes.count {
			meta(wi+1, lane+1, "thread_name", "slot "+itoa(lane+1))
		}
		for _, la := range lanes.of {
			evs = append(evs, attemptEvents(la.job, la.a, wi+1, la.lane+1, us, dur)...)
		}
	}
	if len(r.publish) > 0 {
		meta(publishPid, 0, "process_name", "publish")
		for _, p := range r.publish {
			evs = append(evs, event{Name: p.name, Cat: "publish", Ph: "X", Ts: us(p.start), Dur: dur(p.start, p.end), Pid: publishPid, Tid: 1})
		}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(map[string]any{"traceEvents": evs, "displayTimeUnit": "ms"})
}

// attemptEvents are an attempt's span and its phases inside it. A phase
// inside the one before it (a push inside the export) nests in it; one
// that overlaps it partly starts where it ends, so that the spans nest
// as trace viewers draw them (the summary counts them whole).
func attemptEvents(jr *jobRec, a *attempt, pid, tid int, us func(time.Time) float64, dur func(a, b time.Time) float64) []event {
	end := a.end
	if end.IsZero() {
		end = a.start
	}
	evs := []event{{Name: jr.job.String(), Cat: "job", Ph: "X", Ts: us(a.start), Dur: dur(a.start, end), Pid: pid, Tid: tid,
		Args: map[string]any{"job": jr.job.ID, "arch": jr.job.Arch, "worker": a.worker}}}
	prevEnd := a.start
	var outer interval // the last top-level phase: one inside it nests
	for _, sp := range a.spans() {
		s, e := maxTime(sp.start, a.start), minTime(sp.end, end)
		inside := !s.Before(outer.start) && !e.After(outer.end)
		if !inside {
			s = maxTime(s, prevEnd)
		}
		if !e.After(s) {
			continue
		}
		if !inside {
			outer, prevEnd = interval{s, e}, e
		}
		ev := event{Name: sp.name, Cat: sp.phase, Ph: "X", Ts: us(s), Dur: dur(s, e), Pid: pid, Tid: tid}
		if sp.cached {
			ev.Args = map[string]any{"cached": true}
		}
		evs = append(evs, ev)
	}
	return evs
}

// spans are a's vertexes and push statuses that have both times, by
// start.
func (a *attempt) spans() []*span {
	var out []*span
	for _, d := range a.vorder {
		if sp := a.vertexes[d]; !sp.start.IsZero() && !sp.end.IsZero() {
			out = append(out, sp)
		}
	}
	for _, k := range a.sorder {
		if sp := a.statuses[k]; !sp.start.IsZero() && !sp.end.IsZero() {
			out = append(out, sp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

// origin is the earliest time recorded.
func (r *Recorder) origin() time.Time {
	var t0 time.Time
	early := func(t time.Time) {
		if !t.IsZero() && (t0.IsZero() || t.Before(t0)) {
			t0 = t
		}
	}
	for _, jr := range r.order {
		early(jr.ready)
		for _, a := range jr.attempts {
			early(a.start)
		}
	}
	for _, p := range r.publish {
		early(p.start)
	}
	return t0
}

// workers are the workers that ran an attempt, sorted.
func (r *Recorder) workers() []string {
	var ws []string
	for _, jr := range r.order {
		for _, a := range jr.attempts {
			if !slices.Contains(ws, a.worker) {
				ws = append(ws, a.worker)
			}
		}
	}
	slices.Sort(ws)
	return ws
}

type laid struct {
	job  *jobRec
	a    *attempt
	lane int
}

type laneSet struct {
	of    []laid
	count int
}

// lanes lays the attempts on worker out on lanes: each on the lowest
// lane free at its start, so that there are as many lanes as attempts
// ran at once.
func (r *Recorder) lanes(worker string) laneSet {
	var all []laid
	for _, jr := range r.order {
		for _, a := range jr.attempts {
			if a.worker == worker {
				all = append(all, laid{job: jr, a: a})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].a.start.Before(all[j].a.start) })
	var free []time.Time // each lane's end
	for i := range all {
		lane := slices.IndexFunc(free, func(end time.Time) bool { return !end.After(all[i].a.start) })
		if lane < 0 {
			lane = len(free)
			free = append(free, time.Time{})
		}
		end := all[i].a.end
		if end.IsZero() {
			end = all[i].a.start
		}
		free[lane], all[i].lane = end, lane
	}
	return laneSet{of: all, count: len(free)}
}

func maxTime(ts ...time.Time) time.Time {
	m := ts[0]
	for _, t := range ts[1:] {
		if t.After(m) {
			m = t
		}
	}
	return m
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func itoa(i int) string { return strconv.Itoa(i) }
