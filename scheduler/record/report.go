package record

import (
	"errors"

	"github.com/brewkit/brewkit/scheduler"
)

// Report is the report r records, as `brewkit push` publishes from it:
// each job with its entries, tags, platform, source and FROMs (linked to
// the jobs of the record that built them), and its status, worker,
// staged image, build id and error. The error of a job skipped for want
// of a worker wraps [scheduler.ErrNoWorker]. What r's version lacks is
// left empty. It fails as [Read] does on a record that does not check.
func (r Record) Report() (*scheduler.Report, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	rep := &scheduler.Report{Start: r.Start, End: r.End}
	byID := map[string]*scheduler.Job{}
	for _, j := range r.Jobs {
		o := j.outcome()
		byID[j.ID] = o.Job
		rep.Outcomes = append(rep.Outcomes, o)
	}
	for i, j := range r.Jobs {
		job := rep.Outcomes[i].Job
		for _, f := range j.Froms {
			switch {
			case f.Job != "":
				parent := byID[f.Job]
				job.Parents = append(job.Parents, scheduler.Edge{From: f.From, Job: parent})
				parent.Children = append(parent.Children, job)
			case f.External:
				job.External = append(job.External, f.From)
			}
		}
	}
	return rep, nil
}

// outcome is j as a scheduler outcome, but for the edges between jobs.
// j has been validated.
func (j Job) outcome() *scheduler.Outcome {
	status, _ := parseStatus(j.Status)
	job := &scheduler.Job{ID: j.ID, Arch: j.Arch, Platform: j.Platform, Builder: j.Builder, Tags: j.Tags,
		Source: scheduler.Source{GitRepo: j.Source.GitRepo, GitFetch: j.Source.GitFetch, GitCommit: j.Source.GitCommit,
			Directory: j.Source.Directory, File: j.Source.File},
		SourceID: j.SourceID, CommitTime: j.CommitTime, LastStageFrom: j.LastStageFrom}
	for _, e := range j.Entries {
		job.Origins = append(job.Origins, scheduler.Origin{File: e.File, Line: e.Line, Repo: e.Repo, Tag: e.Tag, Tags: e.Tags, SharedTags: e.SharedTags})
	}
	for _, f := range j.Froms {
		job.Froms = append(job.Froms, f.From)
	}
	return &scheduler.Outcome{Job: job, Status: status, Worker: j.Worker, Attempts: j.Attempts, Start: j.Start, End: j.End,
		Result: scheduler.Result{Ref: j.Image, Digest: j.Digest, BuildID: j.BuildID, UpToDate: status == scheduler.UpToDate,
			Parents: j.parents(), BuildKit: j.BuildKit},
		Err: j.err()}
}

// parents is what the job's build id was computed from: every FROM but
// scratch with its digest, or nil when a digest is missing (the job did
// not get as far as resolving them, or the record's version lacks them).
func (j Job) parents() []scheduler.Parent {
	var out []scheduler.Parent
	for _, f := range j.Froms {
		if f.From == "scratch" {
			continue
		}
		if f.Digest == "" {
			return nil
		}
		out = append(out, scheduler.Parent{From: f.From, Digest: f.Digest})
	}
	return out
}

// err is the job's error, with the message recorded.
func (j Job) err() error {
	switch {
	case j.NoWorker && j.Error == "":
		return scheduler.ErrNoWorker
	case j.NoWorker:
		return &recordedError{msg: j.Error, wrapped: scheduler.ErrNoWorker}
	case j.Error != "":
		return errors.New(j.Error)
	}
	return nil
}

// recordedError is an error read back from a record: its message as
// recorded, and a sentinel it wrapped.
type recordedError struct {
	msg     string
	wrapped error
}

func (e *recordedError) Error() string { return e.msg }
func (e *recordedError) Unwrap() error { return e.wrapped }

// parseStatus is the scheduler.Status whose String is s.
func parseStatus(s string) (scheduler.Status, bool) {
	for _, st := range []scheduler.Status{scheduler.Pending, scheduler.Built, scheduler.UpToDate, scheduler.Failed, scheduler.Skipped, scheduler.Cancelled} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}
