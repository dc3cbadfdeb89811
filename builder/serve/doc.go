// Package serve is brewkit's build-farm daemon: it keeps a registry in
// step with an official-images repository, on top of one long-lived
// [engine.Engine].
//
//	d, err := serve.New(serve.Options{
//		Source: "https://github.com/docker-library/official-images.git", Branch: "master",
//		Poll: time.Minute, Sources: cache, Engine: e, // e made with WaitForWorkers
//		Store: st, Logs: logs, Publish: engine.PublishOptions{To: "registry.example/library"},
//	})
//	if err != nil { ... }
//	g := auth.Guard{Tokens: tokens, Logger: log} // package builder/serve/auth; POSTs need a token
//	h, err := web.New(web.Options{Daemon: d, Guard: g}) // package builder/serve/web: the page, and the API behind g
//	if err != nil { ... }
//	srv := serve.NewHTTPServer(h)
//	go srv.ListenAndServe() // srv.Addr = "127.0.0.1:8080"
//	err = d.Run(ctx) // until ctx is done; drain the engine first to let builds finish
//
// # How it works
//
// The daemon is a loop that reconciles: on each new commit of Source (a
// poll every Poll, or [Daemon.Sync]) it reads library/ from git objects,
// plans every entry with the engine, and starts a run. A run builds the
// whole plan: a job whose build id is staged already is found up to date
// (the registry, not the store, says what is built), a job whose build
// failed recently is held back by its backoff (its descendants wait), and
// the rest build, each child as soon as its parents' images exist, on the
// engine's shared worker pool. After the run, every tag whose images are
// all there is published, children first, idempotently; a tag missing an
// arch is held back. The next run starts when the earliest backoff ends,
// on a retry, or on the next new commit; one run is in progress at a time.
//
// A failed build backs off per (build id, arch) by Schedule, by attempt
// count (the production pipeline's 0, 0, 1, 2, 4, 8, 16, 32 hours by
// default), kept in the store, so a restart does not forget it.
//
// # Events
//
// Options.Observe is told, synchronously, of what the daemon does: each
// job queued, started and ended (with the job as the store keeps it:
// its queue wait is Start-Queued, its build End-Start), each sync, each
// index written (a [store.Tag], kept in the store, which GET
// /api/v1/tags lists), each publish and run ended. It must not block:
// packages builder/serve/metrics and builder/serve/notify observe
// without blocking, and [Observers] tells several:
//
//	m, err := metrics.New(metrics.Options{Jobs: st, Workers: e})
//	n, err := notify.New(notify.Options{URLs: urls, Failures: 3})
//	d, err := serve.New(serve.Options{..., Observe: serve.Observers(m.Observe, n.Observe)})
//
// # Watching it
//
// [Daemon.Handler] is the JSON API; a job's log streams from it as
// Server-Sent Events while the job runs (GET .../log?follow=1), each
// stream a goroutine and a 16 KiB buffer, ended when Run returns.
// Package builder/serve/web serves the web page with the API.
//
// # What survives
//
// The store (package builder/serve/store) keeps the current commit, the
// runs, every job's state, attempts, worker, digest and build record, and
// the backoffs; each attempt's log is a file. Job state changes are
// written in batches every quarter second. After a crash, the jobs that
// were running are queued again, and the first run checks each against
// the registry: staged ones are done, the others are built, so none is
// lost and none is pushed twice.
package serve
