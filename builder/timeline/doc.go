// Package timeline records where a build's time goes, job by job, and
// writes it as a Chrome trace (the JSON trace-event format that Perfetto
// and chrome://tracing open as it is), with a summary: the critical path
// (the chain of jobs that decided the makespan) and the share of time
// spent in each phase.
//
//	rec := timeline.New()
//	b, err := e.Build(ctx, plan, engine.BuildOptions{Timeline: rec})
//	rec.Publish(start, end) // if the build was published
//	err = rec.WriteTrace(f)
//	fmt.Print(rec.Summary(b.Report))
//
// A job's span lies on a lane of its worker, one lane per slot in use at
// once; inside it are its phases, from BuildKit's own progress: the
// source (the build context and the Dockerfile reaching the worker, the
// parents' metadata), each Dockerfile step, the export (layers, manifest)
// and the push. The wait for a slot, from the job's parents' end (or the
// start) to its own start, lies on the scheduler's lanes.
package timeline
