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
package scheduler
