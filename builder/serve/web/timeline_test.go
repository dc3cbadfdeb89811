package web

import (
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/scheduler"
)

// The last run's timeline: a lane per worker slot, a bar per job placed
// in percent of the run (SVG attributes: the page's CSP allows no inline
// style), the critical path and the phases.
func TestTimelineSection(t *testing.T) {
	t0 := time.Now()
	base := &scheduler.Job{ID: "b/amd64", Arch: "amd64", Tags: []string{"base:1"}}
	child := &scheduler.Job{ID: "c/amd64", Arch: "amd64", Tags: []string{"child:1"}, Parents: []scheduler.Edge{{From: "base:1", Job: base}}}
	ob := &scheduler.Outcome{Job: base, Status: scheduler.Built, Worker: "amd64", Start: t0, End: t0.Add(2 * time.Second)}
	oc := &scheduler.Outcome{Job: child, Status: scheduler.Built, Worker: "amd64", Start: t0.Add(2 * time.Second), End: t0.Add(4 * time.Second)}
	rec := timeline.New()
	for _, o := range []*scheduler.Outcome{ob, oc} {
		rec.Observe(scheduler.Event{Kind: scheduler.JobStarted, Outcome: &scheduler.Outcome{Job: o.Job, Worker: o.Worker, Start: o.Start}})
		rec.Observe(scheduler.Event{Kind: scheduler.JobEnded, Outcome: o})
	}
	rt := &serve.RunTimeline{RunID: 7, Commit: "0123456789abcdef", Recorder: rec,
		Report: &scheduler.Report{Outcomes: []*scheduler.Outcome{ob, oc}, Start: t0, End: t0.Add(4 * time.Second)}}
	h, _, err := build(Options{Daemon: newDaemon(t, testJobs...)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := h.tmpl.ExecuteTemplate(&b, "timeline", &view{Authorized: true, Timeline: newTimelineView(rt)}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"Last run's timeline", "Run 7 of commit", "0123456789ab", `href="/api/v1/runs/last/trace"`,
		"amd64 · 1", `<rect class="bar" x="0.00%" y="1" width="50.00%"`, `<rect class="bar" x="50.00%" y="1" width="50.00%"`, "base:1 (amd64)", "child:1 (amd64)", "<caption>The critical path"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the timeline:\n%s", want, page)
		}
	}
	if strings.Contains(page, "ZgotmplZ") || strings.Contains(page, "style=") {
		t.Errorf("a value was refused by html/template:\n%s", page)
	}
	if newTimelineView(nil) != nil {
		t.Error("a timeline without a run")
	}
}
