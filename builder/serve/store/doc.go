// Package store keeps the state of brewkit serve, the build-farm daemon,
// in its state directory: the official-images commit last synced, the
// runs, every job of the current plan with its state, and the backoff of
// failing builds, in one database file, brewkit.db; and the jobs' logs,
// as files in a directory beside it. The daemon survives a SIGKILL or a
// restart by reading them back.
//
// # Usage
//
// Open the store once, at start; a second daemon on the same state
// directory gets an error saying which process holds it:
//
//	st, err := store.Open(stateDir)
//	if err != nil {
//		return err // in use, corrupt (left untouched), or of a newer brewkit
//	}
//	defer st.Close()
//
// Record each run and the jobs of its plan; a job moves from state to
// state by being put again, and [Store.PutJobs] writes a batch in one
// transaction, on disk when it returns:
//
//	runID, err := st.StartRun(store.Run{Commit: commit, Start: time.Now()})
//	...
//	err = st.PutJobs(store.Job{ID: "3b1c…/amd64", Repo: "debian", Arch: "amd64", State: "queued", RunID: runID})
//	...
//	queued, err := st.Jobs(store.JobFilter{State: "queued"})
//
// A failed build backs off by its build id and architecture, on a
// [Schedule]:
//
//	now := time.Now()
//	b, found, err := st.Backoff(buildID, arch)
//	...
//	if !found {
//		b = store.Backoff{BuildID: buildID, Arch: arch, First: now}
//	}
//	b.Count, b.Last, b.Err = b.Count+1, now, failure.Error()
//	b.Next = store.DefaultSchedule().Next(b.Count, now)
//	err = st.PutBackoff(b)
//
// and a build that succeeds clears it with [Store.ClearBackoff].

// Each index written is recorded by its tag, with the commit and the
// jobs whose images it holds:
//
//	err = st.PutTags(store.Tag{Ref: "registry.example/library/debian:12", Digest: digest,
//		Commit: commit, Time: time.Now(), Jobs: []string{job.ID}, Action: "written"})
//	...
//	tags, err := st.Tags() // sorted by ref
//
// Each attempt writes its log to a file of its own:
//
//	logs, err := store.NewLogs(filepath.Join(stateDir, "logs"))
//	f, path, err := logs.Create(job.ID, job.Attempts)
//	...
//	removed, err := logs.Prune(10000, 14*24*time.Hour)
//
// # Why bbolt
//
// The database is a go.etcd.io/bbolt file. BuildKit keeps its cache and
// build history in bbolt too, so it is already in brewkit's module
// graph: no new dependency, pure Go, no cgo. The database is one file;
// every write transaction is atomic and fsynced before it returns,
// which is what surviving a SIGKILL needs; and bbolt locks the file,
// which stops a second daemon on the same state. The price is that keys
// and indexes are written by hand, which is little at this size: one
// table of about 7,900 jobs with one index (by state), runs, backoffs.
// modernc.org/sqlite (pure Go, SQL for filters) would be a new and much
// larger dependency for queries this package does not need.
//
// # Layout
//
// Buckets hold JSON values: "jobs" by job id, "jobs-by-state" with keys
// state NUL job id (so that listing one state reads only its jobs), "runs"
// by run id (big-endian, newest last), "backoffs" by build id NUL arch,
// "tags" by reference (the index last written for each tag), and "meta"
// with the schema version and the last commit. Open refuses a file of a
// newer schema version, and gives a store made before a bucket was added
// (such as "tags") that bucket.
//
// # Corruption
//
// Open never replaces, repairs or moves aside a file it cannot read (a
// file of garbage, a truncated file, a bbolt file of another program):
// it fails with an error naming the file and saying it was left
// untouched. Restoring a backup, or moving the file away to start from
// an empty state, is for whoever runs the daemon to decide. Before it
// opens an existing file to write, Open checks it read-only: that it is
// as long as the database it holds, and bbolt's check of every page. An
// empty file is a new store, as bbolt creates one.
//
// Methods take no context: a transaction of this store is short, local
// and cannot be abandoned halfway; Open waits for the lock no longer
// than [WithLockTimeout] says.
package store
