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

var errPoolAndWorkers = errors.New("scheduler.Runner: set Pool or Workers, not both")

// Runner runs plans' jobs on a pool of workers. Its Run may be called
// concurrently: the runs share the Pool's slots.
type Runner struct {
	// Pool is the workers, shared by every run; see [NewPool].
	Pool *Pool
	// Workers is a shorthand for a Pool of its own for each run, made
	// with RetryDelay as its Backoff and drained when the run ends: what
	// a command that runs one plan needs. Set Pool or Workers, not both;
	// with both, every job fails.
	Workers []workers.Worker
	Exec    Executor
	// AllowEmulation lets a job for an architecture that no worker builds
	// natively run on any worker (BuildKit emulates it with QEMU). Without
	// it such jobs are skipped.
	AllowEmulation bool
	// Attempts bounds how often a job is tried when it fails with a
	// [Transient] error; 0 means 3. Unless WaitForWorkers is set, it also
	// bounds how long a job waits for down workers: see WaitForWorkers.
	Attempts int
	// RetryDelay is, with Workers, the Backoff of the run's own pool: how
	// long a worker whose attempt failed with a [Transient] error is left
	// alone, doubling with each failure in a row; 0 means one second. With
	// Pool, PoolOptions.Backoff rules instead. A retry on another worker
	// does not wait.
	RetryDelay time.Duration
	// WaitForWorkers lets a job whose workers are all down wait until one
	// answers again, however long that takes: for a daemon whose pool
	// probes its workers. Without it, such a job fails once each of its
	// workers has failed max(Attempts, 2) checks in a row (the attempt
	// that marked it down, then probes or trial jobs), with an error
	// naming them, so that a command never waits forever for a dead
	// worker; a worker is always checked once after its backoff before
	// its jobs give up on it.
	WaitForWorkers bool
	// Fair shares the slots between repositories (a job's first
	// Origin's Repo): when a slot frees, it goes to a ready job of the
	// repository with the fewest jobs running on the pool, counting the
	// jobs of every run that shares it; between repositories with as
	// many, to the one whose last job started (on the pool) longest ago,
	// so that they take turns; then to the highest rank, then plan
	// order. Within a repository the highest rank goes first, as without
	// Fair. So one repository's 500 ready jobs do not keep another's one
	// waiting: a daemon building the whole library sets it. Without it
	// (the default), the highest rank goes first, then plan order,
	// whatever the repository, as a command running one plan wants.
	Fair bool
	// JobTimeout, if not 0, bounds each attempt: its Build's ctx is
	// cancelled that long after it started, and the job fails ("cancelled:
	// exceeded the per-job deadline of 3h"), not retried, its worker not
	// marked down for it. The error wraps [context.DeadlineExceeded].
	JobTimeout time.Duration
	// Observe, if set, is told when a job starts and ends, and when an
	// attempt fails and will be made again (see [Event]). It is called
	// from one goroutine at a time (per run) and must not block for long.
	Observe func(Event)
	// ObserveReady has Observe told also when a job becomes ready (its
	// parents are done and it waits for a slot): events of Kind
	// [JobReady]. It is off by default because such an event, Status
	// Pending, reads as a start to callers that do not look at Kind.
	ObserveReady bool
}

// Run runs every job of p and returns their outcomes. A job starts as soon
// as its parents have results and a worker for its architecture, up, has a
// free slot; when jobs wait for slots, the one with the longest chain of
// jobs behind it goes first. A failed job fails only its descendants, which
// are skipped. When ctx is done or the pool is drained, Run stops starting
// jobs, waits for the running ones to return, and reports the rest as
// cancelled.
func (r *Runner) Run(ctx context.Context, p *Plan) *Report {
	pool, err := r.pool()
	s := newRun(r, pool, p)
	s.report.Start = time.Now()
	if err != nil {
		s.endAll(Failed, err)
	} else {
		s.loop(ctx)
	}
	if pool != nil && pool != r.Pool {
		_ = pool.Drain(context.Background()) // nothing runs: it stops the health checks
	}
	s.report.End = time.Now()
	return s.report
}

// pool returns r.Pool, or a new one of r.Workers.
func (r *Runner) pool() (*Pool, error) {
	switch {
	case r.Pool != nil && len(r.Workers) > 0:
		return nil, errPoolAndWorkers
	case r.Pool != nil:
		return r.Pool, nil
	}
	return NewPool(r.Workers, PoolOptions{Backoff: r.RetryDelay}), nil
}

func (r *Runner) attempts() int {
	if r.Attempts > 0 {
		return r.Attempts
	}
	return 3
}

// task is a job's state during a run; only the run's loop touches it.
type task struct {
	job      *Job
	out      *Outcome
	order    int
	repo     string // see repoOf
	pending  int    // parents without a result yet
	avoid    string // a worker this job just failed on
	finished bool
}

// done is an attempt that returned.
type done struct {
	t           *task
	worker      string
	res         Result
	err         error
	interrupted error // the cause, when the pool cancelled the attempt
	timedOut    error // the cause, when the attempt ran out of time
}

type run struct {
	r       *Runner
	pool    *Pool
	report  *Report
	tasks   map[*Job]*task
	ready   map[string]*archQueue // by arch
	byArch  map[string][]*member  // the workers that may build an arch
	left    int                   // tasks not finished
	running int
	results chan done
}

func newRun(r *Runner, pool *Pool, p *Plan) *run {
	s := &run{
		r:       r,
		pool:    pool,
		report:  &Report{},
		tasks:   make(map[*Job]*task, len(p.Jobs)),
		ready:   map[string]*archQueue{},
		byArch:  map[string][]*member{},
		left:    len(p.Jobs),
		results: make(chan done, len(p.Jobs)),
	}
	for i, j := range p.Jobs {
		t := &task{job: j, out: &Outcome{Job: j}, order: i, repo: repoOf(j), pending: len(j.Parents)}
		s.tasks[j] = t
		s.report.Outcomes = append(s.report.Outcomes, t.out)
		if _, ok := s.byArch[j.Arch]; !ok && pool != nil {
			s.byArch[j.Arch] = s.eligible(j.Arch)
		}
	}
	return s
}

// eligible returns the workers that build arch natively or, with
// emulation allowed and no native worker, all of them.
func (s *run) eligible(arch string) []*member {
	var native []*member
	for _, m := range s.pool.members {
		for _, a := range m.w.Arches {
			if a == arch {
				native = append(native, m)
				break
			}
		}
	}
	if len(native) == 0 && s.r.AllowEmulation {
		return s.pool.members
	}
	return native
}

func (s *run) loop(ctx context.Context) {
	select {
	case <-s.pool.Draining():
		s.endAll(Cancelled, fmt.Errorf("not run: %w", ErrDraining))
		return
	default:
	}
	s.start()
	for s.left > 0 {
		wake, stopping := s.step(ctx)
		if s.left == 0 { // step failed the last jobs: their workers are gone
			break
		}
		if stopping {
			if s.running == 0 {
				break
			}
			s.finish(ctx, <-s.results) // the running jobs see ctx too: wait for them
			continue
		}
		select {
		case d := <-s.results:
			s.finish(ctx, d)
		case <-wake:
		case <-ctx.Done():
		}
	}
	cause := ErrDraining
	if ctx.Err() != nil {
		cause = context.Cause(ctx)
	}
	s.endAll(Cancelled, fmt.Errorf("not run: %w", cause))
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
			s.queueReady(t)
		}
	}
}

// queueReady queues t, whose parents are done, and says so.
func (s *run) queueReady(t *task) {
	if s.r.ObserveReady {
		s.observe(Event{Kind: JobReady, Outcome: t.out})
	}
	s.enqueue(t)
}

// enqueue queues t in its arch's queue: in its repository's group in a
// fair run, in the one group "" otherwise.
func (s *run) enqueue(t *task) {
	q := s.ready[t.job.Arch]
	if q == nil {
		q = &archQueue{groups: map[string]*readyQueue{}}
		s.ready[t.job.Arch] = q
	}
	q.push(s.group(t), t)
}

func (s *run) group(t *task) string {
	if s.r.Fair {
		return t.repo
	}
	return ""
}

// finish records a returned attempt and releases or skips the children.
func (s *run) finish(ctx context.Context, d done) {
	s.running--
	t := d.t
	t.out.End = time.Now()
	t.out.Result = d.res // a failed attempt may still say its build id and parents
	switch {
	case d.err == nil:
		status := Built
		if d.res.UpToDate {
			status = UpToDate
		}
		s.end(t, status, nil)
		for _, c := range t.job.Children {
			if ct := s.tasks[c]; !ct.finished {
				if ct.pending--; ct.pending == 0 {
					s.queueReady(ct)
				}
			}
		}
	case ctx.Err() != nil:
		s.fail(t, Cancelled, d.err)
	case d.interrupted != nil:
		err := d.err
		if !errors.Is(err, ErrDraining) {
			err = fmt.Errorf("interrupted: %w: %w", d.interrupted, err)
		}
		s.fail(t, Cancelled, err)
	case d.timedOut != nil:
		s.fail(t, Failed, newDeadlineError(d.timedOut, d.err))
	case IsUnusable(d.err):
		// Not the job's fault, nor worth another attempt on that worker,
		// which is now out of service: the job goes to another worker, or
		// fails with d.err when none is left (giveUp). Every worker can
		// fail it so only once, so this ends.
		t.avoid = d.worker
		t.out.Err = d.err
		s.observe(Event{Kind: JobRetry, Outcome: t.out, Retry: true})
		s.enqueue(t)
	case IsTransient(d.err) && t.out.Attempts < s.r.attempts():
		t.avoid = d.worker
		t.out.Err = d.err
		s.observe(Event{Kind: JobRetry, Outcome: t.out, Retry: true})
		s.enqueue(t) // on another worker, or when this one is back
	default:
		s.fail(t, Failed, d.err)
	}
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

// endAll ends every task that has not ended, in plan order.
func (s *run) endAll(status Status, err error) {
	for _, o := range s.report.Outcomes {
		if t := s.tasks[o.Job]; !t.finished {
			s.end(t, status, err)
		}
	}
}

func (s *run) end(t *task, status Status, err error) {
	t.finished = true
	s.left--
	t.out.Status, t.out.Err = status, err
	s.observe(Event{Kind: JobEnded, Outcome: t.out})
}

func (s *run) observe(e Event) {
	if s.r.Observe != nil {
		s.r.Observe(e)
	}
}
