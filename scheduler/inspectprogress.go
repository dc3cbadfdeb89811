package scheduler

import "sync"

// inspectProgress counts inspections for Options.Progress, calling it
// from one goroutine at a time.
type inspectProgress struct {
	report       func(done, total int) // nil: count nothing
	mu           sync.Mutex
	count, total int
}

func newInspectProgress(report func(done, total int), total int) *inspectProgress {
	p := &inspectProgress{report: report, total: total}
	if report != nil {
		report(0, total)
	}
	return p
}

// done counts one inspection.
func (p *inspectProgress) done() {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count++
	p.report(p.count, p.total)
}
