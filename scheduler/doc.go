// Package scheduler plans and runs the builds of a set of library entries.
//
// It knows the library language and the workers, but no build engine: it
// reads sources through an [Inspector] and builds through an [Executor],
// which package builder implements with git and BuildKit.
//
// # Planning
//
// [NewPlan] expands every entry into one [Job] per architecture, inspects
// each distinct source once, merges jobs whose build context is the same
// (the production pipeline's [SourceID], so identical sources named by
// several tags, entries or repositories are built once), and links each
// job to the jobs that build its FROMs for the same architecture:
//
//	plan, err := scheduler.NewPlan(ctx, repos, inspector, scheduler.Options{})
//	for _, j := range plan.Jobs {
//		fmt.Println(j, j.Platform, j.SourceID, j.Parents, j.External, j.Err)
//	}
//
// A job that cannot be planned (an unknown Builder, a missing commit, a
// FROM cycle) carries its error in Job.Err; the others are unaffected.
//
// # Running
//
// A [Runner] runs a plan over workers, each with a number of slots:
//
//	r := &scheduler.Runner{Workers: ws, Exec: executor}
//	report := r.Run(ctx, plan)
//	fmt.Println(report.Count(scheduler.Built), report.Err())
//
// A job starts as soon as its parents have results (not when a whole
// level is done) on a worker that builds its architecture natively; when
// jobs wait for slots, the one with the longest chain behind it starts
// first. A failed job skips only its descendants; errors marked
// [Transient] are retried, on another worker when there is one.
//
// Runner.JobTimeout bounds each attempt: a build still running after it
// is cancelled, and its job fails (it is not retried, and its worker is
// not held to blame):
//
//	r := &scheduler.Runner{Workers: ws, Exec: executor, JobTimeout: 3 * time.Hour}
//	// a job that hangs fails: "cancelled: exceeded the per-job deadline of 3h: …"
//
// # Sharing slots between repositories
//
// Ranking alone lets one repository's 500 ready jobs keep another's one
// waiting. With Runner.Fair, a freed slot goes to the repository (a
// job's first Origin's Repo) with the fewest jobs running on the pool,
// counting every run that shares it; repositories with as many take
// turns (the one whose last job started longest ago first), and within a
// repository the longest chain still goes first:
//
//	r := &scheduler.Runner{Pool: pool, Exec: executor, Fair: true}
//
// In a simulation of the whole official-images library
// (hack/bench/sched -fair), no repository waits more than about 20
// simulated minutes for its first slot, against hours without Fair, for
// the same makespan.
//
// # Events
//
// Runner.Observe is told of every job's progress as an [Event]: started,
// retried, ended, and with Runner.ObserveReady also ready (its parents
// are done and it waits for a slot). A daemon shows a job as waiting
// until it is ready, then queued, then running:
//
//	r.ObserveReady = true
//	r.Observe = func(ev scheduler.Event) {
//		fmt.Println(ev.Outcome.Job, ev.Kind, ev.Outcome.Worker, ev.Outcome.Status)
//	}
//
// # A pool shared by runs
//
// Runner.Workers gives each run workers of its own. A daemon that starts
// runs concurrently shares one [Pool] between them instead, so that a
// worker never runs more builds than it has slots, whichever runs they
// belong to:
//
//	pool := scheduler.NewPool(ws, scheduler.PoolOptions{Probe: probe})
//	r := &scheduler.Runner{Pool: pool, Exec: executor, WaitForWorkers: true}
//	go func() { reports <- r.Run(ctx, planA) }()
//	go func() { reports <- r.Run(ctx, planB) }() // waits for the slots planA's jobs hold
//
// Runs take free slots as their jobs become ready, each run highest rank
// first (or, with Runner.Fair, fairest first, counting the jobs of every
// run); between runs, whichever asks first (there is no priority across
// runs). A run waiting for a slot is woken when any run frees one.
//
// # Worker health
//
// A worker whose attempt fails with a [Transient] error (it could not be
// dialled, it went away) is marked down for every run: it gets no new job,
// and its jobs go to another worker of their architecture or wait. After a
// backoff (one second, doubling, capped) the pool probes it with
// PoolOptions.Probe or, without one, lets it take one job again.
//
// With PoolOptions.Heartbeat, the pool also probes every worker that is
// up, busy or idle, so that a worker that dies is marked down before a
// job fails on it:
//
//	pool := scheduler.NewPool(ws, scheduler.PoolOptions{
//		Probe:        probe,
//		Heartbeat:    10 * time.Second, // a dead worker is down within 30s:
//		ProbeTimeout: 20 * time.Second, // a heartbeat plus a probe that hangs
//	})
//
// A daemon's status page shows [Pool.Health], and an operator may force
// the matter with [Pool.MarkDown] and [Pool.MarkUp]:
//
//	for _, h := range pool.Health() {
//		fmt.Println(h.Name, h.Up, h.InUse, h.Slots, h.Since, h.Err)
//	}
//
// A run never waits forever for a dead worker unless Runner.WaitForWorkers
// says so: a job whose workers are all down fails once each has failed
// Runner.Attempts checks in a row (two at least: the failure that marked
// it down and a check after its backoff).
//
// # Draining
//
// [Pool.Drain] stops every run on the pool: no job starts any more (they
// end cancelled, with errors wrapping [ErrDraining]), the running ones may
// finish until the deadline of Drain's ctx, and are cancelled then; the
// health checks and heartbeats stop, and Drain waits for the probes that
// were running:
//
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
//	defer cancel()
//	err := pool.Drain(ctx) // returns when no build runs
package scheduler
