package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/scheduler"
)

// writeSummary prints one line per job and the totals.
func writeSummary(w io.Writer, r *scheduler.Report) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tARCH\tSTATUS\tTIME\tWORKER\tIMAGE / REASON")
	for _, o := range r.Outcomes {
		detail := o.Result.Ref
		if o.Err != nil {
			detail = o.Err.Error()
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

// metadataJob is a job in --metadata-file.
type metadataJob struct {
	ID       string           `json:"id"`
	Tags     []string         `json:"tags"`
	Arch     string           `json:"arch"`
	Platform string           `json:"platform"`
	Source   scheduler.Source `json:"source"`
	SourceID string           `json:"sourceId,omitempty"`
	BuildID  string           `json:"buildId,omitempty"`
	Status   string           `json:"status"`
	Image    string           `json:"image,omitempty"`
	Digest   string           `json:"digest,omitempty"`
	Worker   string           `json:"worker,omitempty"`
	Attempts int              `json:"attempts,omitempty"`
	Seconds  float64          `json:"seconds,omitempty"`
	Error    string           `json:"error,omitempty"`
}

func writeMetadataFile(name string, r *scheduler.Report) error {
	jobs := make([]metadataJob, 0, len(r.Outcomes))
	for _, o := range r.Outcomes {
		m := metadataJob{ID: o.Job.ID, Tags: o.Job.Tags, Arch: o.Job.Arch, Platform: o.Job.Platform, Source: o.Job.Source,
			SourceID: o.Job.SourceID, BuildID: o.Result.BuildID, Status: o.Status.String(), Image: o.Result.Ref,
			Digest: o.Result.Digest, Worker: o.Worker, Attempts: o.Attempts}
		if !o.End.IsZero() && !o.Start.IsZero() {
			m.Seconds = o.Duration().Seconds()
		}
		if o.Err != nil {
			m.Error = o.Err.Error()
		}
		jobs = append(jobs, m)
	}
	data, err := json.MarshalIndent(map[string]any{
		"jobs": jobs, "start": r.Start.UTC(), "end": r.End.UTC(), "seconds": r.End.Sub(r.Start).Seconds(),
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(name, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("--metadata-file: %w", err)
	}
	return nil
}
