package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// ErrNoWorker is wrapped by the error of a job skipped because no worker
// builds its architecture: not a failure, the arch is simply not built
// (package builder/publish leaves it out of the indexes).
var ErrNoWorker = errors.New("no worker builds this architecture")

func isNoWorker(err error) bool { return errors.Is(err, ErrNoWorker) }

// Runner runs a plan's jobs on a set of workers.
type Runner struct {
	Workers []workers.Worker
	Exec    Executor
	// AllowEmulation lets a job for an architecture that no worker builds
	// natively run on any worker (BuildKit emulates it with QEMU). Without
	// it such jobs are skipped.
	AllowEmulation bool
	// Attempts bounds how often a job is tried when it fails with a
	// [Transient] error; 0 means 3.
	Attempts int
	// RetryDelay is how long a job that failed with a [Transient] error
	// waits before it is tried again on the same worker (when its arch has
	// no other), doubling with each attempt; 0 means one second. A retry
	// on another worker does not wait.
	RetryDelay time.Duration
	// Observe, if set, is told when a job starts and when it ends. It is
	// called from one goroutine at a time and must not block for long.
	Observe func(Event)
}

// Event reports a job starting (Outcome.End is zero) or ending.
type Event struct {
	Outcome *Outcome
	Retry   bool // the attempt failed and the job will be tried again
}

// Run runs every job of p and returns their outcomes. A job starts as soon
// as its parents have results and a worker for its architecture has a free
// slot; when jobs wait for slots, the one with the longest chain of jobs
// behind it goes first. A failed job fails only its descendants, which are
// skipped. When ctx is done, Run stops starting jobs, waits for the
// running ones to return, and reports the rest as cancelled.
func (r *Runner) Run(ctx context.Context, p *Plan) *Report {
	s := newRun(r, p)
	s.report.Start = time.Now()
	s.loop(ctx)
	s.report.End = time.Now()
	return s.report
}

// task is a job's state during a run; only the run's loop touches it.
type task struct {
	job      *Job
	out      *Outcome
	order    int
	pending  int    // parents without a result yet
	avoid    string // a worker this job just failed on
	finished bool
}

type slot struct {
	w    workers.Worker
	free int
}

type done struct {
	t   *task
	s   *slot
	res Result
	err error
}

type run struct {
	r       *Runner
	report  *Report
	tasks   map[*Job]*task
	ready   map[string]*readyQueue // by arch
	slots   []*slot
	byArch  map[string][]*slot // the workers that may build an arch
	running int
	results chan done
	waiting int        // tasks waiting out a retry delay
	retries chan *task // where they come back
}

func newRun(r *Runner, p *Plan) *run {
	s := &run{
		r:       r,
		report:  &Report{},
		tasks:   make(map[*Job]*task, len(p.Jobs)),
		ready:   map[string]*readyQueue{},
		byArch:  map[string][]*slot{},
		results: make(chan done, len(p.Jobs)),
		retries: make(chan *task, len(p.Jobs)),
	}
	for _, w := range r.Workers {
		s.slots = append(s.slots, &slot{w: w, free: w.Slots()})
	}
	for i, j := range p.Jobs {
		t := &task{job: j, out: &Outcome{Job: j}, order: i, pending: len(j.Parents)}
		s.tasks[j] = t
		s.report.Outcomes = append(s.report.Outcomes, t.out)
		if _, ok := s.byArch[j.Arch]; !ok {
			s.byArch[j.Arch] = s.eligible(j.Arch)
		}
	}
	return s
}

// eligible returns the workers that build arch natively or, with
// emulation allowed and no native worker, all of them.
func (s *run) eligible(arch string) []*slot {
	var native []*slot
	for _, sl := range s.slots {
		for _, a := range sl.w.Arches {
			if a == arch {
				native = append(native, sl)
				break
			}
		}
	}
	if len(native) == 0 && s.r.AllowEmulation {
		return s.slots
	}
	return native
}

func (s *run) loop(ctx context.Context) {
	s.start()
	for {
		if ctx.Err() == nil {
			s.dispatch(ctx)
		}
		if s.running == 0 && (s.waiting == 0 || ctx.Err() != nil) {
			break
		}
		select {
		case d := <-s.results:
			s.finish(ctx, d)
		case t := <-s.retries:
			s.waiting--
			s.enqueue(t)
		case <-ctx.Done():
			if s.running > 0 {
				d := <-s.results // the running jobs see ctx too: wait for them
				s.finish(ctx, d)
			}
		}
	}
	for _, t := range s.tasks {
		if !t.finished {
			s.end(t, Cancelled, fmt.Errorf("not run: %w", context.Cause(ctx)))
		}
	}
}

// start fails the jobs that cannot run and queues those with no parents.
func (s *run) start() {
	for _, o := range s.report.Outcomes {
		t := s.tasks[o.Job]
		switch {
		case t.finished:
		case t.job.Err != nil:
			s.fail(t, Failed, t.job.Err)
		case len(s.byArch[t.job.Arch]) == 0:
			s.fail(t, Skipped, fmt.Errorf("%s: %w natively (allow emulation to build it anyway)", t.job.Arch, ErrNoWorker))
		}
	}
	for _, o := range s.report.Outcomes {
		if t := s.tasks[o.Job]; !t.finished && t.pending == 0 {
			s.enqueue(t)
		}
	}
}

func (s *run) enqueue(t *task) {
	q := s.ready[t.job.Arch]
	if q == nil {
		q = &readyQueue{}
		s.ready[t.job.Arch] = q
	}
	q.push(t)
}

// dispatch starts ready jobs on free slots.
func (s *run) dispatch(ctx context.Context) {
	for _, sl := range s.slots {
		for sl.free > 0 {
			t := s.pick(sl)
			if t == nil {
				break
			}
			s.launch(ctx, t, sl)
		}
	}
}

// pick takes the best ready job that sl may build: the highest rank over
// the queues of the architectures it serves.
func (s *run) pick(sl *slot) *task {
	var (
		best  *readyQueue
		bestI int
	)
	for arch, q := range s.ready {
		if q.Len() == 0 || !s.serves(sl, arch) {
			continue
		}
		i := s.bestFor(q, sl, arch)
		if i >= 0 && (best == nil || before((*q)[i], (*best)[bestI])) {
			best, bestI = q, i
		}
	}
	if best == nil {
		return nil
	}
	return best.remove(bestI)
}

// bestFor returns the index in q of the best job sl may take, or -1. A job
// that just failed on sl waits for another worker of its arch, when there
// is one; the jobs behind it need not.
func (s *run) bestFor(q *readyQueue, sl *slot, arch string) int {
	others := len(s.byArch[arch]) > 1
	if top := q.peek(); top.avoid != sl.w.Name || !others {
		return 0
	}
	best := -1
	for i, t := range *q {
		if t.avoid != sl.w.Name && (best < 0 || before(t, (*q)[best])) {
			best = i
		}
	}
	return best
}

func (s *run) serves(sl *slot, arch string) bool {
	for _, e := range s.byArch[arch] {
		if e == sl {
			return true
		}
	}
	return false
}

func (s *run) launch(ctx context.Context, t *task, sl *slot) {
	sl.free--
	s.running++
	t.out.Attempts++
	t.out.Worker, t.out.Start, t.out.End = sl.w.Name, time.Now(), time.Time{}
	parents := make([]ParentResult, len(t.job.Parents))
	for i, e := range t.job.Parents {
		parents[i] = ParentResult{Edge: e, Result: s.tasks[e.Job].out.Result}
	}
	s.observe(Event{Outcome: t.out})
	go func() {
		res, err := s.r.Exec.Build(ctx, sl.w, t.job, parents)
		s.results <- done{t: t, s: sl, res: res, err: err}
	}()
}

// finish records a returned attempt and releases or skips the children.
func (s *run) finish(ctx context.Context, d done) {
	d.s.free++
	s.running--
	t := d.t
	t.out.End = time.Now()
	switch {
	case d.err == nil:
		t.out.Result = d.res
		status := Built
		if d.res.UpToDate {
			status = UpToDate
		}
		s.end(t, status, nil)
		for _, c := range t.job.Children {
			if ct := s.tasks[c]; !ct.finished {
				if ct.pending--; ct.pending == 0 {
					s.enqueue(ct)
				}
			}
		}
	case ctx.Err() != nil:
		s.fail(t, Cancelled, d.err)
	case IsTransient(d.err) && t.out.Attempts < s.attempts():
		t.avoid = d.s.w.Name
		t.out.Err = d.err
		s.observe(Event{Outcome: t.out, Retry: true})
		s.retryLater(t)
	default:
		s.fail(t, Failed, d.err)
	}
}

// retryLater queues t again: at once when another worker may take it,
// else after a delay that doubles with each attempt.
func (s *run) retryLater(t *task) {
	if len(s.byArch[t.job.Arch]) > 1 {
		s.enqueue(t)
		return
	}
	delay := s.r.RetryDelay
	if delay <= 0 {
		delay = time.Second
	}
	delay <<= t.out.Attempts - 1
	s.waiting++
	time.AfterFunc(delay, func() { s.retries <- t })
}

func (s *run) attempts() int {
	if s.r.Attempts > 0 {
		return s.r.Attempts
	}
	return 3
}

// fail ends t and skips every descendant that has not ended.
func (s *run) fail(t *task, status Status, err error) {
	s.end(t, status, err)
	cause := fmt.Errorf("skipped because %s %s", t.job, status)
	if isNoWorker(err) { // not a failure either
		cause = fmt.Errorf("skipped because %s is: %w", t.job, err)
	}
	if status != Cancelled {
		status = Skipped
	}
	queue := append([]*Job(nil), t.job.Children...)
	for len(queue) > 0 {
		c := s.tasks[queue[0]]
		queue = queue[1:]
		if c.finished {
			continue
		}
		s.end(c, status, cause)
		queue = append(queue, c.job.Children...)
	}
}

func (s *run) end(t *task, status Status, err error) {
	t.finished = true
	t.out.Status, t.out.Err = status, err
	s.observe(Event{Outcome: t.out})
}

func (s *run) observe(e Event) {
	if s.r.Observe != nil {
		s.r.Observe(e)
	}
}
