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
// # Why here
//
// The engine ties package scheduler (plans and runs, knowing no build
// engine) to package builder (BuildKit, git sources) and builder/publish
// (registries), so it sits below builder, the lowest package that may
// import all three; package main imports it and keeps only flags and
// output. The dependency direction stays platforms <- manifest <-
// scheduler <- builder <- builder/engine <- cmd.
package engine
