package builder

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/brewkit/brewkit/scheduler"
)

// TestJobLogs runs two attempts' status streams and notes through an
// Executor with Logs, with and without a display, and checks that each
// log has its own job's steps, output and notes as --progress plain
// shows them, nothing of the other job's, and was closed.
func TestJobLogs(t *testing.T) {
	for _, withDisplay := range []bool{false, true} {
		name := map[bool]string{false: "without a display", true: "with a display"}[withDisplay]
		t.Run(name, func(t *testing.T) {
			var display bytes.Buffer
			logs := &testLogs{}
			e := &Executor{Logs: logs.open}
			if withDisplay {
				p, err := NewProgress(&display, "plain")
				if err != nil {
					t.Fatal(err)
				}
				e.Progress = p
			}
			jobs := []*scheduler.Job{
				{ID: "a", Arch: "amd64", Tags: []string{"foo:a"}},
				{ID: "b", Arch: "arm64v8", Tags: []string{"foo:b"}},
			}
			var closers []func()
			var streams []chan *client.SolveStatus
			for _, j := range jobs {
				prefix := j.Arch + " " + j.String()
				closers = append(closers, e.openLog(t.Context(), j, prefix))
				streams = append(streams, e.statusChannel(nil, prefix))
			}
			for i, j := range jobs { // interleaved, as concurrent solves are
				sendSteps(streams[i], "RUN make "+j.ID, j.ID+" says hi")
			}
			for i, j := range jobs {
				close(streams[i]) // as Solve does
				e.note(j.Arch+" "+j.String(), "up to date: "+j.ID)
				closers[i]()
			}
			for i, j := range jobs {
				other := jobs[1-i]
				got, closed := logs.get(j)
				if !closed {
					t.Errorf("%s: log not closed", j)
				}
				prefix := "[" + j.Arch + " " + j.String() + "] "
				for _, want := range []string{prefix + "RUN make " + j.ID, j.ID + " says hi", prefix + "up to date: " + j.ID} {
					if !strings.Contains(got, want) {
						t.Errorf("%s: log lacks %q:\n%s", j, want, got)
					}
				}
				if bad := other.Arch + " " + other.String(); strings.Contains(got, bad) {
					t.Errorf("%s: log has %q, of the other job:\n%s", j, bad, got)
				}
			}
			if withDisplay {
				if err := e.Progress.Close(); err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{"[amd64 foo:a (amd64)] RUN make a", "b says hi", "[arm64v8 foo:b (arm64v8)] up to date: b"} {
					if !strings.Contains(display.String(), want) {
						t.Errorf("display lacks %q:\n%s", want, display.String())
					}
				}
			}
		})
	}
}

// TestJobLogFailures checks that a log that cannot be opened or closed is
// noted in the display, and that the job's steps still show there.
func TestJobLogFailures(t *testing.T) {
	for _, tt := range []struct {
		name string
		open func(context.Context, *scheduler.Job) (io.WriteCloser, error)
		want string
	}{
		{"open fails", func(context.Context, *scheduler.Job) (io.WriteCloser, error) {
			return nil, errors.New("disk full")
		}, "no log: disk full"},
		{"no writer", func(context.Context, *scheduler.Job) (io.WriteCloser, error) {
			return nil, nil
		}, "no log: the Logs hook returned no writer"},
		{"close fails", func(context.Context, *scheduler.Job) (io.WriteCloser, error) {
			return failingCloser{}, nil
		}, "log: cannot close"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var display bytes.Buffer
			p, err := NewProgress(&display, "plain")
			if err != nil {
				t.Fatal(err)
			}
			e := &Executor{Logs: tt.open, Progress: p}
			job := &scheduler.Job{ID: "a", Arch: "amd64", Tags: []string{"foo:a"}}
			closeLog := e.openLog(t.Context(), job, "amd64 foo:a")
			ch := e.statusChannel(nil, "amd64 foo:a")
			sendSteps(ch, "RUN make", "made it")
			close(ch)
			closeLog()
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"[amd64 foo:a] " + tt.want, "[amd64 foo:a] RUN make", "made it"} {
				if !strings.Contains(display.String(), want) {
					t.Errorf("display lacks %q:\n%s", want, display.String())
				}
			}
		})
	}
}

// sendSteps sends a step's start, then its end with one line of output.
func sendSteps(ch chan *client.SolveStatus, step, output string) {
	start := time.Now()
	end := start.Add(time.Second)
	d := digest.FromString(step)
	ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: step, Started: &start}}}
	ch <- &client.SolveStatus{
		Vertexes: []*client.Vertex{{Digest: d, Name: step, Started: &start, Completed: &end}},
		Logs:     []*client.VertexLog{{Vertex: d, Stream: 1, Data: []byte(output + "\n"), Timestamp: start}},
	}
}

// testLogs keeps a log per job in memory.
type testLogs struct {
	mu   sync.Mutex
	logs map[*scheduler.Job]*testLog
}

func (l *testLogs) open(_ context.Context, job *scheduler.Job) (io.WriteCloser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.logs == nil {
		l.logs = map[*scheduler.Job]*testLog{}
	}
	l.logs[job] = &testLog{}
	return l.logs[job], nil
}

// get returns job's log and whether it was closed.
func (l *testLogs) get(job *scheduler.Job) (string, bool) {
	l.mu.Lock()
	log := l.logs[job]
	l.mu.Unlock()
	if log == nil {
		return "", false
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	return log.buf.String(), log.closed
}

type testLog struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errors.New("write after close")
	}
	return l.buf.Write(p)
}

func (l *testLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	return nil
}

type failingCloser struct{}

func (failingCloser) Write(p []byte) (int, error) { return len(p), nil }
func (failingCloser) Close() error                { return errors.New("cannot close") }
