package builder

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// ProgressModes are the display modes of BuildKit's progressui.
var progressModes = []string{"auto", "tty", "plain", "rawjson", "quiet"}

// Progress shows the progress of concurrent solves in one BuildKit
// display: each job's steps are prefixed with its name, and their digests
// are made distinct, so that the same step of two jobs shows twice.
//
//	p, _ := builder.NewProgress(os.Stderr, "auto")
//	ch := p.Job("amd64 golang:1.22")   // give ch to one Solve, which closes it
//	…
//	err := p.Close()                   // after every Solve has returned
type Progress struct {
	merged   chan *client.SolveStatus
	jobs     sync.WaitGroup // forwarders still running
	done     chan struct{}  // closed when the display has drained merged
	err      error
	mu       sync.Mutex
	closed   bool
	sequence int
}

// CheckProgressMode checks a display mode without starting a display.
func CheckProgressMode(mode string) error {
	if !slices.Contains(progressModes, mode) {
		return fmt.Errorf("--progress %q: want one of %v", mode, progressModes)
	}
	return nil
}

// NewProgress starts a display writing to out in mode: auto, tty, plain,
// rawjson or quiet.
func NewProgress(out io.Writer, mode string) (*Progress, error) {
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(mode))
	if err != nil {
		return nil, fmt.Errorf("--progress %q: %w (want one of %v)", mode, err, progressModes)
	}
	p := &Progress{merged: make(chan *client.SolveStatus, 128), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		_, p.err = d.UpdateFrom(context.Background(), p.merged)
	}()
	return p, nil
}

// Job returns the status channel for one solve, whose steps show under
// prefix. The solve closes it.
func (p *Progress) Job(prefix string) chan *client.SolveStatus {
	ch := make(chan *client.SolveStatus)
	p.jobs.Add(1)
	go func() {
		defer p.jobs.Done()
		for s := range ch {
			p.merged <- relabel(prefix, s)
		}
	}()
	return ch
}

// Note shows one finished step, such as "up to date", under prefix.
func (p *Progress) Note(prefix, text string) {
	p.mu.Lock()
	p.sequence++
	id := digest.FromString(fmt.Sprintf("brewkit note %d", p.sequence))
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return
	}
	now := time.Now()
	p.merged <- &client.SolveStatus{Vertexes: []*client.Vertex{{
		Digest: id, Name: "[" + prefix + "] " + text, Started: &now, Completed: &now,
	}}}
}

// Close waits until every job's channel is closed and the display has
// shown everything, and returns the display's error.
func (p *Progress) Close() error {
	p.jobs.Wait()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	close(p.merged)
	<-p.done
	return p.err
}

// relabel prefixes the step names of s and makes its digests the job's own.
func relabel(prefix string, s *client.SolveStatus) *client.SolveStatus {
	own := func(d digest.Digest) digest.Digest { return digest.FromString(prefix + "\x00" + d.String()) }
	for _, v := range s.Vertexes {
		v.Digest = own(v.Digest)
		for i := range v.Inputs {
			v.Inputs[i] = own(v.Inputs[i])
		}
		v.Name = "[" + prefix + "] " + v.Name
		if v.ProgressGroup != nil {
			v.ProgressGroup.Id = prefix + "\x00" + v.ProgressGroup.Id
		}
	}
	for _, st := range s.Statuses {
		st.Vertex = own(st.Vertex)
	}
	for _, l := range s.Logs {
		l.Vertex = own(l.Vertex)
	}
	for _, w := range s.Warnings {
		w.Vertex = own(w.Vertex)
	}
	return s
}
