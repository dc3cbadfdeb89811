package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler"
)

// writeSummary prints one line per job (with the first line of its
// error), the errors in full (see foldErrors) and the totals.
func writeSummary(w, errw io.Writer, r *scheduler.Report) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tARCH\tSTATUS\tTIME\tWORKER\tIMAGE / REASON")
	var errs []jobError
	for _, o := range r.Outcomes {
		detail := o.Result.Ref
		if o.Err != nil {
			detail = firstLine(o.Err)
			errs = append(errs, newJobError(o.Job, o.Err))
		}
		took := "-"
		if !o.End.IsZero() && !o.Start.IsZero() {
			took = o.Duration().Round(10 * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", tagsSummary(o.Job.Tags), o.Job.Arch, o.Status, took, dash(nonEmpty(o.Worker)), detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeErrors(errw, errs); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d built, %d up to date, %d failed, %d skipped, %d cancelled in %s\n",
		r.Count(scheduler.Built), r.Count(scheduler.UpToDate), r.Count(scheduler.Failed),
		r.Count(scheduler.Skipped), r.Count(scheduler.Cancelled), r.End.Sub(r.Start).Round(10*time.Millisecond))
	return err
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// metadataJob is a job in --metadata-file, which `brewkit push` reads
// back: Entries say which tags and shared tags of which entries each
// image is published as.
type metadataJob struct {
	ID       string             `json:"id"`
	Tags     []string           `json:"tags"`
	Arch     string             `json:"arch"`
	Platform string             `json:"platform"`
	Source   scheduler.Source   `json:"source"`
	Entries  []scheduler.Origin `json:"entries,omitempty"`
	SourceID string             `json:"sourceId,omitempty"`
	BuildID  string             `json:"buildId,omitempty"`
	Status   string             `json:"status"`
	Image    string             `json:"image,omitempty"`
	Digest   string             `json:"digest,omitempty"`
	Worker   string             `json:"worker,omitempty"`
	Attempts int                `json:"attempts,omitempty"`
	Seconds  float64            `json:"seconds,omitempty"`
	Error    string             `json:"error,omitempty"`
	// NoWorker is set for a job skipped because no worker builds its
	// arch: not a failure, the arch is simply not published.
	NoWorker bool `json:"noWorker,omitempty"`
}

// metadataFile is the whole of --metadata-file.
type metadataFile struct {
	Jobs    []metadataJob `json:"jobs"`
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
	Seconds float64       `json:"seconds"`
}

func writeMetadataFile(name string, r *scheduler.Report) error {
	jobs := make([]metadataJob, 0, len(r.Outcomes))
	for _, o := range r.Outcomes {
		m := metadataJob{ID: o.Job.ID, Tags: o.Job.Tags, Arch: o.Job.Arch, Platform: o.Job.Platform, Source: o.Job.Source,
			Entries: o.Job.Origins, SourceID: o.Job.SourceID, BuildID: o.Result.BuildID, Status: o.Status.String(),
			Image: o.Result.Ref, Digest: o.Result.Digest, Worker: o.Worker, Attempts: o.Attempts}
		if !o.End.IsZero() && !o.Start.IsZero() {
			m.Seconds = o.Duration().Seconds()
		}
		if o.Err != nil {
			m.Error = o.Err.Error()
			m.NoWorker = errors.Is(o.Err, scheduler.ErrNoWorker)
		}
		jobs = append(jobs, m)
	}
	data, err := json.MarshalIndent(metadataFile{Jobs: jobs, Start: r.Start.UTC(), End: r.End.UTC(), Seconds: r.End.Sub(r.Start).Seconds()}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(name, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("--metadata-file: %w", err)
	}
	return nil
}

// readMetadataFile reads back what writeMetadataFile wrote, as a report:
// each job with its entries, status, staged image and error.
func readMetadataFile(name string) (*scheduler.Report, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var f metadataFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &scheduler.Report{Start: f.Start, End: f.End}
	for i, m := range f.Jobs {
		if len(m.Entries) == 0 {
			return nil, fmt.Errorf("%s: job %d (%s %s) has no entries: written by an older brewkit build; build again to write them", name, i, m.ID, m.Arch)
		}
		status, ok := parseStatus(m.Status)
		if !ok {
			return nil, fmt.Errorf("%s: job %d (%s %s): unknown status %q", name, i, m.ID, m.Arch, m.Status)
		}
		job := &scheduler.Job{ID: m.ID, Arch: m.Arch, Platform: m.Platform, Source: m.Source, Origins: m.Entries, Tags: m.Tags, SourceID: m.SourceID}
		o := &scheduler.Outcome{Job: job, Status: status, Worker: m.Worker, Attempts: m.Attempts,
			Result: scheduler.Result{Ref: m.Image, Digest: m.Digest, BuildID: m.BuildID, UpToDate: status == scheduler.UpToDate}}
		switch {
		case m.NoWorker:
			o.Err = fmt.Errorf("%s: %w", m.Error, scheduler.ErrNoWorker)
		case m.Error != "":
			o.Err = errors.New(m.Error)
		}
		r.Outcomes = append(r.Outcomes, o)
	}
	return r, nil
}

// parseStatus is the scheduler.Status whose String is s.
func parseStatus(s string) (scheduler.Status, bool) {
	for _, st := range []scheduler.Status{scheduler.Pending, scheduler.Built, scheduler.UpToDate, scheduler.Failed, scheduler.Skipped, scheduler.Cancelled} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

// writeLayoutSummary says how many tags went into the OCI layout dir, and
// which were held back or written without an arch.
func writeLayoutSummary(w io.Writer, dir string, sum builder.TagSummary) {
	fmt.Fprintf(w, "%d tag(s) in the OCI image layout %s\n", len(sum.Written), dir)
	for _, h := range sum.Held {
		fmt.Fprintf(w, "held back %s\n", h)
	}
	for _, p := range sum.Partial {
		fmt.Fprintf(w, "written without an arch (--partial) %s\n", p)
	}
}
