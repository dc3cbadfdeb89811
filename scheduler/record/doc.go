// Package record writes and reads build records: what a brewkit build
// did, job by job, with every input that went into each job's build id
// and every output, as versioned JSON (docs/BUILD-RECORD.md describes
// the schema). `brewkit build --metadata-file` writes one; `brewkit push`
// publishes from one without planning again; `brewkit reproduce` and the
// daemon read them too.
//
// A record describes the jobs and results of package scheduler and reads
// back into a [scheduler.Report], so it lives beside the scheduler, not
// in package builder: a reader of records (a publisher, a daemon's API, a
// tool comparing two builds) needs neither BuildKit nor a registry
// client, and the scheduler's dependency budget test keeps it so.
//
// # Writing and reading
//
// After a run, turn its report into a record and write it:
//
//	report := runner.Run(ctx, plan)
//	if err := record.FromReport(report).WriteFile("build.json"); err != nil {
//		return err
//	}
//
// Later, perhaps in another process, read it back, and get the report to
// publish from:
//
//	rec, err := record.ReadFile("build.json")
//	if err != nil {
//		return err // not a record, a version this brewkit does not know, a job without entries…
//	}
//	report, err := rec.Report()
//	if err != nil {
//		return err
//	}
//	targets, err := publish.Targets(report, publish.Options{To: "registry.example/library"})
//
// Each [Job] of the record also says what a rebuild needs: the source
// (its git repository without credentials, commit, directory and file),
// the Builder, the commit time (SOURCE_DATE_EPOCH), and each FROM with
// the digest it resolved to and the job that built it, if one did.
//
// # Versions
//
// A record carries its schema version ([Version] when written by this
// package). Fields added later keep the version; removing a field or
// changing its meaning makes a new one. [Read] accepts every version up
// to [Version], the fields an older one lacks left empty: version 0 is
// the --metadata-file of brewkit builds before records had a version,
// which has no schemaVersion, no FROMs, Builder, commit time or BuildKit
// version. A version newer than [Version] is refused, with an error
// naming it.
//
// # Credentials
//
// A record never holds a credential: [FromReport] records git
// repositories without their user information, and removes it from the
// URLs in error messages too; [Record.Write] does the same to any record
// it is given.
package record
