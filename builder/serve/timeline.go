package serve

import (
	"errors"
	"net/http"

	"github.com/brewkit/brewkit/builder/timeline"
	"github.com/brewkit/brewkit/scheduler"
)

var errNoRunYet = errors.New("no run has ended yet: the timeline is of the last run")

// RunTimeline is where a run's time went (see package timeline): the
// daemon keeps the last run's, for its page and API.
type RunTimeline struct {
	RunID    uint64
	Commit   string
	Recorder *timeline.Recorder
	Report   *scheduler.Report
}

func (d *Daemon) keepTimeline(t *RunTimeline) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timeline = t
}

// Timeline is the last run's timeline, or nil before a run has ended.
func (d *Daemon) Timeline() *RunTimeline {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.timeline
}

// getTrace serves the last run's timeline as Chrome trace-event JSON.
func (d *Daemon) getTrace(w http.ResponseWriter, _ *http.Request) {
	t := d.Timeline()
	if t == nil {
		writeError(w, http.StatusNotFound, errNoRunYet)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="brewkit-run-trace.json"`)
	t.Recorder.WriteTrace(w)
}

// getTimeline serves the last run's summary: the critical path and the
// time by phase.
func (d *Daemon) getTimeline(w http.ResponseWriter, _ *http.Request) {
	t := d.Timeline()
	if t == nil {
		writeError(w, http.StatusNotFound, errNoRunYet)
		return
	}
	s := t.Recorder.Summary(t.Report)
	writeJSON(w, http.StatusOK, map[string]any{"run_id": t.RunID, "commit": t.Commit, "makespan_seconds": s.Makespan.Seconds(),
		"critical": links(s.Critical), "phases": shares(s.Phases)})
}

func links(ls []timeline.Link) []map[string]any {
	out := []map[string]any{}
	for _, l := range ls {
		out = append(out, map[string]any{"job": l.Job, "worker": l.Worker, "wait_seconds": l.Wait.Seconds(), "seconds": l.Took.Seconds()})
	}
	return out
}

func shares(ps []timeline.Share) []map[string]any {
	out := []map[string]any{}
	for _, p := range ps {
		out = append(out, map[string]any{"phase": p.Phase, "seconds": p.Time.Seconds(), "share": p.Share})
	}
	return out
}
