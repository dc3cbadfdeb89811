// Package metrics exposes brewkit serve, the build-farm daemon, to
// Prometheus: it counts what the daemon's events tell (see
// [serve.Event]), and reads the jobs by state and the workers' health
// from the store and the engine at each scrape.
//
//	m, err := metrics.New(metrics.Options{Jobs: st, Workers: e}) // st a *store.Store, e an *engine.Engine
//	if err != nil { ... }
//	d, err := serve.New(serve.Options{..., Observe: serve.Observers(m.Observe, ...)})
//	mux.Handle("GET /metrics", m.Handler())
//
// Observe never blocks: it updates counters and histograms in memory.
// The metrics are registered on a registry of their own (Options.Registry,
// or a new one), never on the global DefaultRegisterer; Handler serves
// that registry, Go's and the process's collectors included.
//
// # Metrics
//
//	brewkit_jobs{state,arch}                        gauge      jobs of the current plan, by state and arch (at scrape, from the store)
//	brewkit_job_queue_wait_seconds{arch}            histogram  how long a job waited for a worker slot, queued to started
//	brewkit_job_build_duration_seconds{arch}        histogram  how long a build took, started to ended (built or failed; not found staged)
//	brewkit_job_attempts_failed_total{arch}         counter    builds that failed (not those held back by their backoff)
//	brewkit_worker_up{worker,arch}                  gauge      1 if the worker is up, 0 if not (at scrape, from the engine)
//	brewkit_worker_unusable{worker,arch}            gauge      1 if the worker is out of service for a configuration error, 0 if not (likewise)
//	brewkit_publish_indexes_total{action}           counter    indexes published, by action: written, up_to_date, blocked, failed
//	brewkit_registry_retries_total                  counter    registry requests of a publish sent again (429, 5xx, network errors)
//	brewkit_sync_duration_seconds                   histogram  how long a sync took: the poll of the source, and the planning of a new commit
//	brewkit_sync_failures_total                     counter    syncs that failed
//	brewkit_last_successful_sync_timestamp_seconds  gauge      when the last sync that did not fail ended, in Unix seconds
//
// State is one of serve.States (waiting, queued, running, succeeded,
// failed, backoff, cancelled, skipped); every state is reported for
// every arch with jobs or workers, 0 included. A worker building
// several arches has a series for each.
package metrics
