package timeline

import (
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/brewkit/brewkit/scheduler"
)

// Recorder collects a build's timeline: the runner's events (Observe)
// and each attempt's BuildKit progress (Status). It is safe for
// concurrent use.
type Recorder struct {
	mu      sync.Mutex
	jobs    map[*scheduler.Job]*jobRec
	order   []*jobRec // in the order jobs were first seen
	publish []span
}

type jobRec struct {
	job      *scheduler.Job
	ready    time.Time // the parents' end, or the run's start
	attempts []*attempt
}

// attempt is one run of a job on a worker.
type attempt struct {
	worker     string
	start, end time.Time
	vertexes   map[digest.Digest]*span
	vorder     []digest.Digest
	statuses   map[string]*span // push sub-tasks, by vertex and id
	sorder     []string
}

// span is a named interval of a phase.
type span struct {
	name, phase string
	start, end  time.Time
	cached      bool
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{jobs: map[*scheduler.Job]*jobRec{}} }

func (r *Recorder) rec(j *scheduler.Job) *jobRec {
	jr, ok := r.jobs[j]
	if !ok {
		jr = &jobRec{job: j}
		r.jobs[j] = jr
		r.order = append(r.order, jr)
	}
	return jr
}

// Observe records a runner event: give it to [scheduler.Runner.Observe]
// (with ObserveReady, for the waits).
func (r *Recorder) Observe(ev scheduler.Event) {
	o := ev.Outcome
	r.mu.Lock()
	defer r.mu.Unlock()
	jr := r.rec(o.Job)
	switch ev.Kind {
	case scheduler.JobReady:
		jr.ready = time.Now()
	case scheduler.JobStarted:
		jr.attempts = append(jr.attempts, &attempt{worker: o.Worker, start: o.Start,
			vertexes: map[digest.Digest]*span{}, statuses: map[string]*span{}})
	case scheduler.JobRetry, scheduler.JobEnded:
		if n := len(jr.attempts); n > 0 && jr.attempts[n-1].end.IsZero() {
			end := o.End
			if end.IsZero() {
				end = time.Now()
			}
			jr.attempts[n-1].end = end
		}
	}
}

// Status returns the channel that job's current attempt reports its
// BuildKit progress on; Recorder reads it until it is closed.
func (r *Recorder) Status(job *scheduler.Job) chan *client.SolveStatus {
	ch := make(chan *client.SolveStatus)
	go func() {
		for s := range ch {
			r.add(job, s)
		}
	}()
	return ch
}

// add merges s into job's last attempt.
func (r *Recorder) add(job *scheduler.Job, s *client.SolveStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	jr := r.rec(job)
	if len(jr.attempts) == 0 {
		return
	}
	a := jr.attempts[len(jr.attempts)-1]
	for _, v := range s.Vertexes {
		sp, ok := a.vertexes[v.Digest]
		if !ok {
			sp = &span{phase: phaseOf(v.Name)}
			a.vertexes[v.Digest] = sp
			a.vorder = append(a.vorder, v.Digest)
		}
		sp.name, sp.cached = v.Name, v.Cached
		setTimes(sp, v.Started, v.Completed)
	}
	for _, st := range s.Statuses {
		p := statusPhase(st.ID)
		if p == "" {
			continue
		}
		key := st.Vertex.String() + " " + st.ID
		sp, ok := a.statuses[key]
		if !ok {
			sp = &span{name: st.ID, phase: p}
			a.statuses[key] = sp
			a.sorder = append(a.sorder, key)
		}
		setTimes(sp, st.Started, st.Completed)
	}
}

func setTimes(sp *span, started, completed *time.Time) {
	if started != nil && (sp.start.IsZero() || started.Before(sp.start)) {
		sp.start = *started
	}
	if completed != nil {
		sp.end = *completed
	}
}

// Publish records that the build's indexes were published from start to
// end.
func (r *Recorder) Publish(start, end time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publish = append(r.publish, span{name: "publish", phase: "publish", start: start, end: end})
}
