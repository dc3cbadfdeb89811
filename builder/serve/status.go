package serve

import (
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
		wk := Worker{Name: h.Name, Arches: h.Arches, Up: h.Up, Slots: h.Slots, InUse: h.InUse, Since: h.Since}
		if h.Err != nil {
			wk.Error = h.Err.Error()
		}
		s.Workers = append(s.Workers, wk)
	}
	st.mu.Lock()
	if sum := st.published; sum != nil {
		s.Published = map[string]int{}
		for _, a := range []publish.Action{publish.Written, publish.UpToDate, publish.Blocked, publish.Failed} {
			s.Published[a.String()] = sum.Count(a)
		}
	}
	st.mu.Unlock()
	return s, nil
}
