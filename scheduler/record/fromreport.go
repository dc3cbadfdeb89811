package record

import (
	"errors"
	"regexp"
	"runtime/debug"
	"slices"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// FromReport is the record of r, written at the current [Version] by the
// running brewkit. Times are in UTC. URLs lose their user information
// (a credential), in Source and in error messages alike.
func FromReport(r *scheduler.Report) Record {
	rec := Record{SchemaVersion: Version, BrewkitVersion: brewkitVersion(),
		Start: r.Start.UTC(), End: r.End.UTC(), Seconds: r.End.Sub(r.Start).Seconds(), Jobs: []Job{}}
	staged := map[*scheduler.Job]string{}
	for _, o := range r.Outcomes {
		staged[o.Job] = o.Result.Digest
	}
	for _, o := range r.Outcomes {
		rec.Jobs = append(rec.Jobs, fromOutcome(o, staged))
	}
	return rec
}

// brewkitVersion is the main module's version in the build information.
func brewkitVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return info.Main.Version
}

// fromOutcome is the record of one job: its inputs, then its outcome.
// staged is the digest each job of the report produced.
func fromOutcome(o *scheduler.Outcome, staged map[*scheduler.Job]string) Job {
	j := fromJob(o.Job)
	j.Froms = froms(o.Job, o.Result.Parents, staged)
	j.BuildID = o.Result.BuildID
	j.Status, j.Worker, j.BuildKit, j.Attempts = o.Status.String(), o.Worker, o.Result.BuildKit, o.Attempts
	j.Image, j.Digest = o.Result.Ref, o.Result.Digest
	if !o.Start.IsZero() && !o.End.IsZero() {
		j.Start, j.End, j.Seconds = o.Start.UTC(), o.End.UTC(), o.Duration().Seconds()
	}
	if o.Err != nil {
		j.Error = redact(o.Err.Error())
		j.NoWorker = errors.Is(o.Err, scheduler.ErrNoWorker)
	}
	return j
}

// fromJob is the record of a job's inputs, all but its FROMs.
func fromJob(job *scheduler.Job) Job {
	s := job.Source
	j := Job{ID: job.ID, Tags: job.Tags, Arch: job.Arch, Platform: job.Platform, Builder: job.Builder,
		Source: Source{GitRepo: manifest.RedactGitRepo(s.GitRepo), GitFetch: s.GitFetch, GitCommit: s.GitCommit,
			Directory: s.Directory, File: s.File},
		SourceID: job.SourceID, LastStageFrom: job.LastStageFrom}
	for _, o := range job.Origins {
		j.Entries = append(j.Entries, Entry{File: o.File, Line: o.Line, Repo: o.Repo, Tag: o.Tag, Tags: o.Tags, SharedTags: o.SharedTags})
		if !slices.Contains(j.Repos, o.Repo) {
			j.Repos = append(j.Repos, o.Repo)
		}
	}
	if !job.CommitTime.IsZero() {
		epoch := job.CommitTime.Unix()
		j.CommitTime, j.SourceDateEpoch = job.CommitTime.UTC(), &epoch
	}
	return j
}

// froms is every FROM of job, in order, with the digest it resolved to
// and the job that built it. The digests are those of parents, the
// job's result; when the job has none (it failed), a FROM built by a
// job of the plan still has that job's digest from staged, which is
// what the scheduler gave the build.
func froms(job *scheduler.Job, parents []scheduler.Parent, staged map[*scheduler.Job]string) []From {
	digests, built := map[string]string{}, map[string]string{}
	for _, e := range job.Parents {
		digests[e.From], built[e.From] = staged[e.Job], e.Job.ID
	}
	for _, p := range parents {
		digests[p.From] = p.Digest
	}
	var out []From
	for _, f := range job.Froms {
		out = append(out, From{From: f, Digest: digests[f], Job: built[f], External: slices.Contains(job.External, f)})
	}
	return out
}

// userInfo is the user information of a URL: "https://user:token@".
var userInfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s'"]*@`)

// redact removes the user information of every URL in msg, as
// [manifest.RedactGitRepo] does of a git repository.
func redact(msg string) string { return userInfo.ReplaceAllString(msg, "$1") }
