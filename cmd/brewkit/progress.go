package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/containerd/console"
)

// How often the progress of an inspection may show: on a terminal, where
// the line is rewritten in place, and elsewhere, such as in a log.
const (
	ttyEvery   = 250 * time.Millisecond
	plainEvery = 5 * time.Second
)

// sourcesProgress shows how far a plan is in inspecting (and so fetching)
// its sources:
//
//	inspecting sources: 12 of 144
//
// On a terminal, the line is rewritten in place at most every ttyEvery;
// elsewhere, a line is written at most every plainEvery. Nothing shows
// before the first such interval has passed, so a quick plan prints
// nothing; once something has shown, the total shows at the end.
type sourcesProgress struct {
	w     io.Writer
	tty   bool
	every time.Duration
	now   func() time.Time
	next  time.Time // when the next line may show; zero before the first update
	shown bool
}

func newSourcesProgress(w io.Writer) *sourcesProgress {
	p := &sourcesProgress{w: w, tty: isTerminal(w), every: plainEvery, now: time.Now}
	if p.tty {
		p.every = ttyEvery
	}
	return p
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := console.ConsoleFromFile(f)
	return err == nil
}

// update is a scheduler.Options.Progress: done of total sources are
// inspected.
func (p *sourcesProgress) update(done, total int) {
	now := p.now()
	if p.next.IsZero() {
		p.next = now.Add(p.every)
	}
	last := done == total
	if now.Before(p.next) && !(last && p.shown) {
		return
	}
	p.next, p.shown = now.Add(p.every), true
	line := fmt.Sprintf("inspecting sources: %d of %d", done, total)
	switch {
	case !p.tty:
		fmt.Fprintln(p.w, line)
	case last:
		fmt.Fprintf(p.w, "\r%s\x1b[K\n", line)
	default:
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
	}
}

// inspectProgress is the scheduler.Options.Progress of a command: progress
// on its stderr.
func (g *globalOptions) inspectProgress() func(done, total int) {
	if g.stderr == nil {
		return nil
	}
	return newSourcesProgress(g.stderr).update
}
