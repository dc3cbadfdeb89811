package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

// writeSummary prints one line per job (with the first line of its
// error), the errors in full (see foldErrors) and the totals.
func writeSummary(w, errw io.Writer, r *scheduler.Report) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tARCH\tSTATUS\tTIME\tWORKER\tIMAGE / REASON")
	var errs []jobError
	for _, o := range r.Outcomes {
		detail := o.Result.Ref
		if o.Result.Loaded {
			detail += " (loaded)"
		}
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

// writeMetadataFile writes the build record of r (see package record)
// to the file name, for `brewkit push`, `brewkit reproduce` and the
// daemon to read.
func writeMetadataFile(name string, r *scheduler.Report) error {
	if err := record.FromReport(r).WriteFile(name); err != nil {
		return fmt.Errorf("--metadata-file: %w", err)
	}
	return nil
}

// writeLayoutSummary says how many tags went into the OCI layout dir, and
// which were held back or written without an arch, and how to run one.
func writeLayoutSummary(w io.Writer, dir string, sum builder.TagSummary) {
	fmt.Fprintf(w, "%d tag(s) in the OCI image layout %s\n", len(sum.Written), dir)
	for _, h := range sum.Held {
		fmt.Fprintf(w, "held back %s\n", h)
	}
	for _, p := range sum.Partial {
		fmt.Fprintf(w, "written without an arch (--partial) %s\n", p)
	}
	if len(sum.Written) > 0 {
		tag := sum.Written[0]
		fmt.Fprintf(w, "to run one: skopeo copy oci:%s:%s docker-daemon:%s && docker run --rm %s (skopeo picks the host's platform; --override-arch ARCH for another), or build again with --load\n",
			dir, builder.LayoutRef(tag), tag, tag)
	}
}
