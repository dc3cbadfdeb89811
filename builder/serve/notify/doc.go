// Package notify tells web hooks what brewkit serve, the build-farm
// daemon, did that a maintainer cares about: a tag published, and a job
// whose build keeps failing. Each URL gets a JSON POST per notification.
//
//	n, err := notify.New(notify.Options{URLs: []string{"https://hooks.example/brewkit"}, Failures: 3, Logger: log})
//	if err != nil { ... }
//	d, err := serve.New(serve.Options{..., Observe: serve.Observers(n.Observe, ...)})
//	...
//	err = n.Close(ctx) // delivers what is queued, until ctx is done
//
// # When
//
// A notification is sent for every index written (an index found up to
// date is not), and for a job whose build failed for the Failures-th
// time in a row, and for every failure after that one, until it
// succeeds. With the default schedule (0, 0, 1h, 2h, ...) a build's
// first two failures are tried again at once, and the default Failures,
// 3, notifies on the one that makes it wait an hour: a flake a retry
// fixes pages no one, a broken build does, and again each time its
// backoff ends in failure (hours apart), so a maintainer knows it is
// still broken. A job held back by its backoff is no new failure.
//
// # Delivery
//
// Observe never blocks the daemon: it only puts the notification on
// each URL's queue (Queue long, 256 by default), and a goroutine per
// URL posts them in order. A full queue drops its oldest notification:
// the newest tell the current state of things, and a receiver that was
// away for a while gets the last Queue. Drops are counted ([Notifier.Dropped])
// and logged. A POST is tried again, after a backoff that doubles from
// Backoff (1s) up to a minute, Attempts times in all (5), on a network
// error, a timeout (Timeout each, 10s), a 5xx or a 429 (after its
// Retry-After, capped at a minute); never on another 4xx, which would
// fail again. Close delivers what is queued, then stops.
//
// # Body
//
// Content-Type: application/json. A tag published:
//
//	{
//	  "kind": "tag-published",
//	  "time": "2026-03-14T15:09:26Z",
//	  "commit": "c0ffee…",             // the official-images commit planned
//	  "tag": {
//	    "ref": "registry.example/library/debian:12",
//	    "repo": "debian",
//	    "tag": "12",
//	    "arch": "",                   // set for a tag of an arch namespace
//	    "digest": "sha256:…",         // of the index written
//	    "jobs": ["3b1c…/amd64", "3b1c…/arm64v8"]
//	  }
//	}
//
// A job failed:
//
//	{
//	  "kind": "job-failed",
//	  "time": "2026-03-14T15:09:26Z",
//	  "commit": "c0ffee…",
//	  "job": {
//	    "id": "3b1c…/arm64v8",
//	    "repo": "debian",
//	    "tags": ["debian:12", "debian:bookworm"],
//	    "arch": "arm64v8",
//	    "failures": 3,                // failed attempts in a row of its build
//	    "attempts": 1,                // tries in its last run
//	    "error": "…",
//	    "log": "/api/v1/jobs/3b1c…/arm64v8/log"  // a path of the daemon's API
//	  }
//	}
//
// A body never holds credentials: no URL (a hook's URL may hold a token,
// and is logged redacted), no image reference with its registry's user,
// and the log is a path of the daemon's own API.
package notify
