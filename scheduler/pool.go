package scheduler

import (
	"context"
	"sync"
	"time"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// PoolOptions configures a [Pool]. The zero value is a pool for one CLI
// run: no probe, no heartbeat, a one-second first backoff.
type PoolOptions struct {
	// Probe, if set, checks a worker that is down: it should return nil
	// when the worker answers again (package builder dials it and lists
	// its workers). Without it, a down worker is checked by letting it
	// take one job again (see [Pool]).
	Probe func(ctx context.Context, w workers.Worker) error
	// Heartbeat, with Probe set, is how often a worker that is up is
	// probed too, whether it runs jobs or not; a failed probe marks it
	// down (then the backoff and probes bring it back). A job that ends
	// without a Transient error counts as a heartbeat. 0 (the default)
	// means no heartbeat: a dead worker is noticed only when a job fails
	// on it. A worker that dies is noticed within Heartbeat (plus
	// ProbeTimeout when its probe hangs rather than fails): a daemon
	// that must notice within 30 seconds sets 10 seconds and a
	// ProbeTimeout of 20. Without Probe, Heartbeat is ignored.
	Heartbeat time.Duration
	// Backoff is how long a worker stays down before it is checked again,
	// doubling with every failure in a row up to MaxBackoff; 0 means one
	// second.
	Backoff time.Duration
	// MaxBackoff caps the backoff; 0 means one minute.
	MaxBackoff time.Duration
	// ProbeTimeout bounds each call of Probe, a safety net for probes that
	// do not bound themselves; 0 means 30 seconds.
	ProbeTimeout time.Duration
}

// withDefaults returns o with every zero (or negative) duration replaced
// by its default; the defaults are stated in the fields' docs.
func (o PoolOptions) withDefaults() PoolOptions {
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Minute
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Backoff)
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = 30 * time.Second
	}
	if o.Heartbeat < 0 || o.Probe == nil {
		o.Heartbeat = 0
	}
	return o
}

// Pool is a set of workers shared by every run of the [Runner]s that use
// it: a worker's slots are global, so concurrent runs together never
// start more builds on a worker than it has slots. It also tracks each
// worker's health (see [Pool.Health]) and stops the runs when drained
// (see [Pool.Drain]).
//
// A worker whose attempt fails with a [Transient] error is marked down,
// for every run, and takes no new job until it answers again. After a
// backoff (PoolOptions.Backoff, doubling with each failure in a row) the
// pool checks it: with PoolOptions.Probe, by probing it; without, by
// letting it take one job again (a trial), but only a job whose
// architecture has no worker up, since that trial costs the job an
// attempt, which a job with a live worker need not spend. Without a
// probe, a worker that is down beside a live one of its architectures
// therefore stays down until [Pool.MarkUp], or until a job that started
// on it before it went down succeeds: any attempt that ends without a
// Transient error (and was not cancelled) marks its worker up.
//
// The pool cannot tell a dead worker from another transient failure (a
// registry that answered 503): both mark the worker down.
//
// A worker whose attempt or probe fails with an [Unusable] error (a
// configuration error, such as a TLS certificate that is not to be
// trusted) is not down but out of service: it is not probed and takes no
// job until [Pool.MarkUp]. The job it failed goes to another worker of its
// architecture; when every worker of an architecture is out of service,
// its jobs fail at once with their reasons, even in a run that waits for
// workers (Runner.WaitForWorkers).
//
// A Pool is safe for concurrent use. Its workers are fixed by [NewPool].
type Pool struct {
	opts    PoolOptions
	members []*member
	byName  map[string]*member
	bg      sync.WaitGroup // backoff timers that fired, and probes

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced when a slot frees or health changes
	inflight   map[*attempt]struct{}
	shares     shares        // jobs running per repository, for fair runs
	draining   chan struct{} // closed by the first Drain
	isDraining bool          // Drain was called
}

// member is a worker and its state in the pool; the pool's lock guards
// every field but w.
type member struct {
	w     workers.Worker
	inUse int
	health
}

// attempt is one Build call holding a slot of m.
type attempt struct {
	m      *member
	repo   string // its job's, counted in the pool's shares
	trial  bool   // the one job a down worker takes to check it
	cancel context.CancelCauseFunc
}

// NewPool returns a pool of ws, every worker up. Worker names should be
// unique ([workers.Validate] checks it): [Pool.MarkDown] and
// [Pool.MarkUp] address the first worker of a name. With a heartbeat
// (PoolOptions.Heartbeat), the pool probes its workers until
// [Pool.Drain].
func NewPool(ws []workers.Worker, opts PoolOptions) *Pool {
	p := &Pool{
		opts:     opts.withDefaults(),
		byName:   make(map[string]*member, len(ws)),
		changed:  make(chan struct{}),
		inflight: map[*attempt]struct{}{},
		shares:   newShares(),
		draining: make(chan struct{}),
	}
	p.mu.Lock() // a heartbeat may fire before NewPool returns
	defer p.mu.Unlock()
	now := time.Now()
	for _, w := range ws {
		m := &member{w: w, health: health{up: true, since: now}}
		p.members = append(p.members, m)
		if _, ok := p.byName[w.Name]; !ok {
			p.byName[w.Name] = m
		}
		p.schedule(m)
	}
	return p
}

// notify wakes everyone waiting on the pool: runs waiting for a slot or
// a worker, and Drain. The caller holds p.mu.
func (p *Pool) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// acquire takes a slot of m for a Build of a job of repo whose ctx is
// cancelled by cancel. The caller holds p.mu.
func (p *Pool) acquire(m *member, repo string, cancel context.CancelCauseFunc) *attempt {
	a := &attempt{m: m, repo: repo, cancel: cancel}
	p.shares.start(repo)
	if !m.up {
		a.trial = true
		m.trial = trialRunning
	}
	m.inUse++
	p.inflight[a] = struct{}{}
	return a
}

// release frees a's slot, records what the attempt says of its worker's
// health (a Transient error marks it down, any other ending marks it up,
// an attempt whose ctx was cancelled or that ran out of time, mute, says
// nothing) and calls deliver, which must not block: all under the lock,
// so that a run never sees the pool changed by an attempt it has not
// heard of yet.
func (p *Pool) release(a *attempt, err error, mute bool, deliver func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	deliver()
	delete(p.inflight, a)
	p.shares.end(a.repo)
	m := a.m
	m.inUse--
	switch {
	case mute:
		if a.trial && m.trial == trialRunning {
			m.trial = trialOpen // another job may check it
		}
	case IsUnusable(err):
		p.disable(m, err)
	case IsTransient(err):
		p.markDown(m, err, a.trial)
	case !m.unusable:
		p.markUp(m)
	}
	p.notify()
}

// Draining returns a channel that is closed when [Pool.Drain] is first
// called: from then on no job starts on the pool.
func (p *Pool) Draining() <-chan struct{} { return p.draining }
