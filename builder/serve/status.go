package serve

import (
	"fmt"

	"github.com/brewkit/brewkit/builder/publish"
)

// Status is what the daemon is doing: the commit it follows, its jobs by
// state, its workers.
func (d *Daemon) Status() (Status, error) {
	commit, synced, err := d.opts.Store.Commit()
	if err != nil {
		return Status{}, err
	}
	counts, err := d.opts.Store.CountByState()
	if err != nil {
		return Status{}, err
	}
	s := Status{Commit: commit, SyncedAt: timePtr(synced), Jobs: counts}
	d.mu.Lock()
	s.Running = d.running
	if d.syncErr != nil {
		s.SyncError = d.syncErr.Error()
	}
	st := d.state
	d.mu.Unlock()
	for _, h := range d.opts.Engine.Health() {
		wk := Worker{Name: h.Name, Arches: h.Arches, Up: h.Up, Unusable: h.Unusable, Slots: h.Slots, InUse: h.InUse, Since: h.Since}
		if h.Err != nil {
			wk.Error = h.Err.Error()
		}
		s.Workers = append(s.Workers, wk)
	}
	st.mu.Lock()
	if sum := st.published; sum != nil {
		s.Published = publishCounts(sum)
		s.HeldBack = heldBack(sum)
	}
	st.mu.Unlock()
	return s, nil
}

// HeldTag is a tag the last run did not publish, and why.
type HeldTag struct {
	Ref string `json:"ref"`
	// Missing are its images that did not build: "arm64v8: JOB failed".
	Missing []string `json:"missing,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// heldBack lists the blocked and failed indexes of sum.
func heldBack(sum *publish.Summary) []HeldTag {
	var held []HeldTag
	for _, r := range sum.Results {
		if r.Action != publish.Blocked && r.Action != publish.Failed {
			continue
		}
		h := HeldTag{Ref: r.Target.Ref}
		for _, m := range r.Target.Missing {
			h.Missing = append(h.Missing, fmt.Sprintf("%s: %s %s", m.Arch, m.Job, m.Status))
		}
		if r.Err != nil {
			h.Error = r.Err.Error()
		}
		held = append(held, h)
	}
	return held
}
