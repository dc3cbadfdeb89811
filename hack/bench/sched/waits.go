package main

import (
	"slices"
	"time"

	"github.com/brewkit/brewkit/scheduler"
)

// waits records, per repository (a job's first origin's), when its first
// job became ready and when its first job started: how long a repository
// with work waits for a slot. Its observe is a Runner.Observe, called
// from one goroutine.
type waits struct {
	ready, started map[string]time.Time
}

func newWaits() *waits {
	return &waits{ready: map[string]time.Time{}, started: map[string]time.Time{}}
}

func (w *waits) observe(ev scheduler.Event) {
	origins := ev.Outcome.Job.Origins
	if len(origins) == 0 {
		return
	}
	repo := origins[0].Repo
	var m map[string]time.Time
	switch ev.Kind {
	case scheduler.JobReady:
		m = w.ready
	case scheduler.JobStarted:
		m = w.started
	default:
		return
	}
	if _, ok := m[repo]; !ok {
		m[repo] = time.Now()
	}
}

// summary returns the median and the longest wait, in simulated minutes.
func (w *waits) summary(minute time.Duration) (median, longest float64) {
	var ms []float64
	for repo, r := range w.ready {
		if s, ok := w.started[repo]; ok {
			ms = append(ms, s.Sub(r).Seconds()/minute.Seconds())
		}
	}
	if len(ms) == 0 {
		return 0, 0
	}
	slices.Sort(ms)
	return ms[len(ms)/2], ms[len(ms)-1]
}
