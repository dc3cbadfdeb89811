package web

import (
	"fmt"
	"sync"
	"time"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/timeline"
)

// maxBars is the most jobs a lane of the chart draws: a run that found
// thousands of jobs up to date draws its longest.
const maxBars = 200

// timelineView is the last run's timeline as the page draws it: the
// critical path, the time by phase, and a lane per worker slot with a
// bar per job, placed in percent of the run. The lanes are SVG, whose x
// and width are attributes: the page's Content-Security-Policy allows
// no inline style.
type timelineView struct {
	RunID    uint64
	Commit   string
	Makespan string
	Critical []timeline.Link
	Phases   []phaseView
	Lanes    []laneView
	Hidden   int // bars too short, or past maxBars, not drawn
}

type phaseView struct {
	Phase, Time string
	Pct         float64
}

type laneView struct {
	Label string
	Bars  []barView
}

type barView struct {
	Title       string
	Left, Width float64 // percent
	Phases      []phaseBar
}

type phaseBar struct {
	Class, Title string
	Left, Width  float64 // percent of the run, as the bar's
}

// timelines lays out the last run's timeline once: a run's timeline does
// not change once it has ended, and the page is polled every 2 s by each
// reader, over a run of thousands of jobs.
type timelines struct {
	mu     sync.Mutex
	of     *serve.RunTimeline
	layout *timelineView
}

// view is t's layout, made at its first ask.
func (c *timelines) view(t *serve.RunTimeline) *timelineView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t != c.of {
		c.of, c.layout = t, newTimelineView(t)
	}
	return c.layout
}

// newTimelineView lays out t, or is nil without one.
func newTimelineView(t *serve.RunTimeline) *timelineView {
	if t == nil {
		return nil
	}
	s := t.Recorder.Summary(t.Report)
	tv := &timelineView{RunID: t.RunID, Commit: t.Commit, Makespan: human(s.Makespan), Critical: s.Critical}
	for _, p := range s.Phases {
		tv.Phases = append(tv.Phases, phaseView{Phase: p.Phase, Time: human(p.Time), Pct: 100 * p.Share})
	}
	lanes, span := t.Recorder.Lanes()
	if span <= 0 {
		return tv
	}
	pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(span) }
	for _, l := range lanes {
		lv := laneView{Label: fmt.Sprintf("%s · %d", l.Worker, l.Slot)}
		for _, b := range l.Jobs {
			if len(lv.Bars) >= maxBars || pct(b.End-b.Start) < 0.2 {
				tv.Hidden++
				continue
			}
			lv.Bars = append(lv.Bars, bar(b, pct))
		}
		tv.Lanes = append(tv.Lanes, lv)
	}
	return tv
}

func bar(b timeline.Bar, pct func(time.Duration) float64) barView {
	bv := barView{Title: fmt.Sprintf("%s: %s", b.Job, human(b.End-b.Start)), Left: pct(b.Start), Width: pct(b.End - b.Start)}
	for _, p := range b.Phases {
		if p.End <= p.Start {
			continue
		}
		bv.Phases = append(bv.Phases, phaseBar{Class: "ph-" + classOf(p.Phase), Title: p.Name + ": " + human(p.End-p.Start),
			Left: pct(p.Start), Width: pct(p.End - p.Start)})
	}
	return bv
}

// classOf is a phase as a CSS class name.
func classOf(phase string) string {
	switch phase {
	case timeline.PhaseSource, timeline.PhaseStep, timeline.PhaseExport, timeline.PhasePush:
		return phase
	}
	return "other"
}
