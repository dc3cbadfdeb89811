// Package engine is brewkit's pipeline as a library: it plans library
// entries into jobs, builds them on BuildKit workers and publishes the
// indexes of their tags. The brewkit command, the build-farm daemon and
// reproduce all hold an [Engine]; none of them decides the order of a
// build's steps, which arches are planned or where images go.
//
// An Engine is made once, from its dependencies (the [Target]: workers
// and a registry or an OCI layout; the git cache; the build locks; the
// keychain; a logger), and then serves any number of plans, builds and
// publishes, concurrently:
//
//	ws, err := workers.Load("workers.yaml")
//	if err != nil { ... }
//	target, err := engine.Farm(ws, "127.0.0.1:5000", "") // staging: 127.0.0.1:5000/brewkit/staging
//	if err != nil { ... }
//	cache, err := gitsource.Open(filepath.Join(dir, "git"))
//	if err != nil { ... }
//	e, err := engine.New(engine.Options{Target: target, Sources: cache, Logger: slog.Default()})
//	if err != nil { ... }
//	defer e.Close()
//
//	repo, err := (&manifest.Loader{Library: "library"}).Load(ctx, "busybox")
//	if err != nil { ... }
//	plan, err := e.Plan(ctx, []*manifest.Repo{repo}, engine.PlanOptions{})
//	if err != nil { ... }
//	b, err := e.Build(ctx, plan, engine.BuildOptions{})
//	if err != nil { ... }
//	summary, err := e.Publish(ctx, b.Report, engine.PublishOptions{To: "127.0.0.1:5000/library"})
//	fmt.Println(b.Report.Err(), summary.Count(publish.Written), err)
//
// [Engine.Lookup] answers, without building, which jobs are staged
// already (a dry run); [Engine.Routes] says which workers may take each
// job.
//
// # Held for days
//
// A build-farm daemon makes one Engine at start, with WaitForWorkers set
// so that a job whose workers are all down waits for one to answer a
// probe instead of failing, and keeps it until it stops:
//
//	e, err := engine.New(engine.Options{Target: target, Sources: cache, Locks: locks,
//		Logger: logger, WaitForWorkers: true})
//	...
//	for commit := range commits { // each new commit of the library
//		plan, err := e.Plan(ctx, repos(commit), engine.PlanOptions{})
//		...
//		go func() { b, err := e.Build(ctx, plan, engine.BuildOptions{}); ... }()
//	}
//	...
//	page.Workers = e.Health() // up or down, slots in use by every build
//	...
//	<-sigterm
//	dctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
//	err = e.Drain(dctx) // no new job; running solves finish, or are cancelled at the deadline
//	cancel()
//	e.Close()
//
// Every build shares the target's worker pool: a worker's slots bound
// the solves of all builds together, and a worker that fails a dial or a
// probe gets no job from any of them until it answers again. What the
// Engine keeps between builds is bounded and forgets failures: the
// inspector's checksums (a capped cache, failures never kept), the git
// cache's memory of a repository that failed to fetch (for a minute),
// and nothing else: base images are resolved once per build, and the
// connections to the workers live as long as the build that made them.
//
// # Why here
//
// The engine ties package scheduler (plans and runs, knowing no build
// engine) to package builder (BuildKit, git sources) and builder/publish
// (registries), so it sits below builder, the lowest package that may
// import all three; package main imports it and keeps only flags and
// output. The dependency direction stays platforms <- manifest <-
// scheduler <- builder <- builder/engine <- cmd.
package engine
