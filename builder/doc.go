// Package builder is brewkit's BuildKit side: it connects to the workers
// that package [workers] describes and, in time, runs builds on them.
//
// Find out which workers answer and what they build:
//
//	ws, err := workers.Load("workers.yaml")
//	if err != nil { ... }
//	for _, s := range builder.ProbeAll(ctx, ws) {
//		switch {
//		case !s.Up:
//			log.Printf("%s is down: %v", s.Worker.Name, s.Err)
//		case len(s.MissingArches) > 0:
//			log.Printf("%s does not advertise %v", s.Worker.Name, s.MissingArches)
//		default:
//			log.Printf("%s: BuildKit %s, %d platforms", s.Worker.Name, s.BuildKitVersion, len(s.Platforms))
//		}
//	}
//
// Talk to one worker with BuildKit's own client:
//
//	c, err := builder.Dial(ctx, w)
//	if err != nil { ... }
//	defer c.Close()
//	_, err = c.Solve(ctx, nil, client.SolveOpt{Frontend: "dockerfile.v0", ...}, statusCh)
//
// # Building into a directory
//
// Without a registry, an [Executor] builds into an OCI image layout: each
// job's image is exported there by BuildKit (no tarball), children are
// built from their parents' bytes in it, and [Layout.Tag] names the tags
// as a registry publish would (package builder/publish decides which
// images make up a tag, and package builder/ociindex lays out its index):
// a tag one of whose architectures did not build is held back, unless
// partial:
//
//	l, err := builder.OpenLayout("out")
//	if err != nil { ... }
//	defer l.Close()
//	exec := &builder.Executor{Layout: l, Registry: builder.NewRegistry(), Cache: cache}
//	report := (&scheduler.Runner{Workers: ws, Exec: exec, AllowEmulation: true}).Run(ctx, plan)
//	sum, err := l.Tag(ctx, report, partial) // index.json: "repo:tag" → manifest or multi-platform index
//	for _, h := range sum.Held { fmt.Println("held back", h) } // "foo:1: job foo:1 (s390x) failed"
//
// Package builder/localdaemon finds or starts the local buildkitd to run it on.
//
// # Sources from strangers
//
// A library entry and the tree it names may be hostile. The [Inspector]
// and the [Executor] read sources only through package gitsource, which
// reads git's objects, never a checkout on the host:
//
//   - a public remote repository is a git context that BuildKit fetches
//     itself, at the Directory the plan resolved in the tree;
//   - a local repository, or a remote whose GitRepo carries a credential,
//     is sent with the solve as a file-sync mount made from the tree's
//     listing (symlinks sent as symlinks, for BuildKit to resolve inside
//     the context it receives), and its Dockerfile alone as another;
//   - an oci-import layout is read through its Directory, with in-tree
//     symlinks followed and every blob read at its descriptor's size and
//     checked against its digest, then staged as committed.
//
// Package builder/sourcetest holds the corpus of hostile trees and entries
// that the tests run through all three.
//
// # Several brewkits at once
//
// Processes that stage in the same place and share [BuildLocks] build
// each job once: an [Executor] takes the job's lock after a lookup miss,
// looks it up again once it has it, and builds only if it is still
// missing; the lock is released when the image is staged, or on any
// failure, and by the kernel if the process dies:
//
//	locks, err := builder.OpenBuildLocks(filepath.Join(cacheDir, "locks"))
//	if err != nil { ... }
//	exec := &builder.Executor{Staging: "127.0.0.1:5000/brewkit/staging", Registry: builder.NewRegistry(), Cache: cache, Locks: locks}
//
// A lookup that fails (the registry unreachable, 401, 5xx) returns a
// [*LookupError] carrying the job's build id.
//
// # Unreachable workers
//
// Dial does not connect (gRPC connects on the first call), so an address
// nobody listens on is only noticed by the first request. Probe bounds every
// probe with a timeout ([DefaultProbeTimeout], or [WithProbeTimeout]): a
// missing or stale unix socket and a closed tcp port fail at once, and an
// address that accepts but never answers fails when the timeout expires.
//
// A long-lived [scheduler.Pool] (a daemon's, shared by its runs) checks its
// down workers with Probe before it gives them jobs again:
//
//	pool := scheduler.NewPool(ws, scheduler.PoolOptions{Probe: func(ctx context.Context, w workers.Worker) error {
//		if s := builder.Probe(ctx, w); !s.Up {
//			return s.Err
//		}
//		return nil
//	}})
//	r := &scheduler.Runner{Pool: pool, Exec: exec, WaitForWorkers: true}
//
// # End-to-end tests
//
// Package builder/farmtest connects tests to the lab farm that `hack/farm up`
// starts; those tests run only with BREWKIT_E2E=1.
package builder
