package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// The limits and pace of a log stream (GET .../log?follow=1).
const (
	// streamChunk is the most of a log a stream reads, and holds, at
	// once: a stream's memory is about this much.
	streamChunk = 16 << 10
	// streamPoll is how often a stream looks for new bytes once it has
	// sent all there were, and for the job's state.
	streamPoll = 250 * time.Millisecond
	// streamHeartbeat is how long a stream may stay silent before it
	// sends a comment, so that proxies keep it open (logStreams.heartbeat).
	streamHeartbeat = 15 * time.Second
	// streamWriteTimeout bounds each write to a client: one that stops
	// reading is let go.
	streamWriteTimeout = 30 * time.Second
	// streamMax bounds the streams open at once (each holds a file
	// descriptor); one more gets 503 (logStreams.max).
	streamMax = 1024
)

// logStreams are the daemon's live log streams: how many are open, and
// a channel closed when the daemon stops, which ends them all (a server's
// Shutdown waits for its requests, and a stream would otherwise last as
// long as its job).
type logStreams struct {
	active    atomic.Int64
	stopped   chan struct{}
	once      sync.Once
	heartbeat time.Duration // streamHeartbeat, but in tests
	max       int64         // streamMax, but in tests
}

func newLogStreams() *logStreams {
	return &logStreams{stopped: make(chan struct{}), heartbeat: streamHeartbeat, max: streamMax}
}

// stop ends every stream; it may be called more than once.
func (s *logStreams) stop() { s.once.Do(func() { close(s.stopped) }) }

// LogStreams is how many job logs are being streamed now.
func (d *Daemon) LogStreams() int { return int(d.streams.active.Load()) }

// runInProgress tells whether a run is in progress.
func (d *Daemon) runInProgress() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running
}

// wantsStream tells whether a GET of a log asks for a stream: with
// "Accept: text/event-stream" or ?follow=1.
func wantsStream(r *http.Request) bool {
	if f := r.URL.Query().Get("follow"); f == "1" || f == "true" {
		return true
	}
	for _, a := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(a, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/event-stream") {
				return true
			}
		}
	}
	return false
}

// streamLog serves the log of job j as Server-Sent Events, as long as
// the job is not over:
//
//	event: attempt   data: {"attempt":N}       a log file starts (the first, or the next attempt's)
//	(no event name)  data: LINE, one or more   lines of the log
//	event: end       data: {"state":S}         the job is over (or gone); the stream ends
//
// and a comment line (": heartbeat") after a silence. Log lines are sent
// whole, but a line longer than streamChunk, which is cut; a carriage
// return counts as a line end (Server-Sent Events know no other way). A
// log file that does not exist yet (the job is queued) is waited for; a
// job whose attempt ends and starts again gets the new attempt's log.
// A stream reads the store's job every streamPoll while idle: an attempt
// that starts and ends in less (with the store's own quarter-second
// batches) may be missed, and the stream goes on with the next one.
//
// A stream costs a goroutine, an open file and streamChunk bytes, and a
// read of the file and of the store every streamPoll while idle; at most
// streamMax are open at once, and one more gets 503 with Retry-After.
func (d *Daemon) streamLog(w http.ResponseWriter, r *http.Request, j store.Job) {
	defer d.streams.active.Add(-1)
	if d.streams.active.Add(1) > d.streams.max {
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("%d logs are being streamed, the most this server streams at once; try again later, or GET the log without following it", d.streams.max))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	w.WriteHeader(http.StatusOK)
	s := &logStream{d: d, w: w, rc: http.NewResponseController(w), id: j.ID, buf: make([]byte, streamChunk)}
	defer s.close()
	if err := s.comment("streaming " + j.ID); err != nil {
		return
	}
	tick := time.NewTicker(streamPoll)
	defer tick.Stop()
	lastWrite := time.Now()
	for {
		sent, over, err := s.step(j)
		if err != nil {
			return
		}
		if sent {
			lastWrite = time.Now()
		}
		if over {
			s.end(j)
			return
		}
		if !sent && time.Since(lastWrite) >= d.streams.heartbeat {
			if s.comment("heartbeat") != nil {
				return
			}
			lastWrite = time.Now()
		}
		if sent {
			continue // there may be more at once
		}
		select {
		case <-r.Context().Done():
			return
		case <-d.streams.stopped:
			return
		case <-tick.C:
		}
		var ok bool
		switch j, ok, err = d.opts.Store.Job(s.id); {
		case err != nil:
			s.end(store.Job{ID: s.id, State: "unknown", Error: "reading the job: " + err.Error()})
			return
		case !ok:
			s.end(store.Job{ID: s.id, State: "gone"}) // no longer in the plan
			return
		}
	}
}

// logStream is the state of one stream: the log file it reads, how far,
// and the part of a line it holds.
type logStream struct {
	d    *Daemon
	w    io.Writer
	rc   *http.ResponseController
	id   string
	path string   // the log file being read
	f    *os.File // open on path; nil until it exists
	buf  []byte   // streamChunk bytes; buf[:held] is a line not ended yet
	held int
	cr   bool // the last byte read was '\r'
}

// step sends what is new in j's log: the rest of the current file, and
// when j has a new log file, that one. It reports whether it sent
// anything, and whether j is over and everything of its log was sent.
func (s *logStream) step(j store.Job) (sent, over bool, err error) {
	if j.Log != "" && j.Log != s.path {
		// A new attempt: the rest of the old file first.
		if sent, err = s.drain(); err != nil || sent {
			return sent, false, err
		}
		if err := s.flushHeld(); err != nil {
			return false, false, err
		}
		s.closeFile()
		s.path = j.Log
		if err := s.event("attempt", sseJSON(map[string]int{"attempt": j.Attempts})); err != nil {
			return false, false, err
		}
		sent = true
	}
	if s.f == nil && s.path != "" {
		s.f, _ = os.Open(s.path) // not there (pruned, or not yet): nothing to send
	}
	more, err := s.drain()
	if err != nil {
		return false, false, err
	}
	sent = sent || more
	if !sent && s.d.over(j) {
		return false, true, s.flushHeld()
	}
	return sent, false, nil
}

// over tells whether job j is over: it has no attempt running nor
// coming. A job waiting or queued is over when no run is in progress: it
// waits for a parent that failed, or for the next run.
func (d *Daemon) over(j store.Job) bool {
	switch j.State {
	case StateRunning:
		return false
	case StateWaiting, StateQueued:
		return !d.runInProgress()
	}
	return true
}

// drain reads one chunk of the log file, if there is more, and sends its
// whole lines; a line longer than the chunk is sent cut.
func (s *logStream) drain() (bool, error) {
	if s.f == nil {
		return false, nil
	}
	n, err := s.f.Read(s.buf[s.held:])
	if n == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			s.closeFile() // unreadable: nothing more from this file
		}
		return false, nil
	}
	start, end := 0, s.held+n
	if s.held == 0 && s.cr && s.buf[0] == '\n' {
		start = 1 // the end of a "\r\n" whose '\r' ended the last chunk
	}
	s.cr = s.buf[end-1] == '\r'
	cut := bytes.LastIndexAny(s.buf[:end], "\r\n") + 1
	if cut == 0 && end == len(s.buf) {
		cut = end // a line longer than the chunk
	}
	if cut > start {
		if err := s.data(s.buf[start:cut]); err != nil {
			return false, err
		}
	}
	s.held = copy(s.buf, s.buf[max(cut, start):end])
	return true, nil
}

// flushHeld sends the part of a line held back, at the end of a file.
func (s *logStream) flushHeld() error {
	if s.held == 0 {
		return nil
	}
	err := s.data(s.buf[:s.held])
	s.held = 0
	return err
}

// data sends lines as a message: one "data:" line each.
func (s *logStream) data(lines []byte) error {
	lines = bytes.TrimSuffix(lines, []byte("\n"))
	lines = bytes.TrimSuffix(lines, []byte("\r"))
	var b bytes.Buffer
	b.Grow(len(lines) + 64)
	for {
		i := bytes.IndexAny(lines, "\r\n")
		line := lines
		if i >= 0 {
			line = lines[:i]
		}
		b.WriteString("data: ")
		b.Write(line)
		b.WriteByte('\n')
		if i < 0 {
			break
		}
		if lines[i] == '\r' && i+1 < len(lines) && lines[i+1] == '\n' {
			i++
		}
		lines = lines[i+1:]
	}
	b.WriteByte('\n')
	return s.write(b.Bytes())
}

// event sends a named event.
func (s *logStream) event(name, data string) error {
	return s.write([]byte("event: " + name + "\ndata: " + data + "\n\n"))
}

// comment sends a comment, which clients ignore.
func (s *logStream) comment(text string) error {
	return s.write([]byte(": " + text + "\n\n"))
}

// end sends the end event, with the job's state and error.
func (s *logStream) end(j store.Job) {
	v := map[string]string{"state": j.State}
	if j.Error != "" {
		v["error"] = j.Error
	}
	s.event("end", sseJSON(v))
}

// write writes p and flushes it, within streamWriteTimeout.
func (s *logStream) write(p []byte) error {
	s.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // not every writer has deadlines
	if _, err := s.w.Write(p); err != nil {
		return err
	}
	return s.rc.Flush()
}

func (s *logStream) closeFile() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

func (s *logStream) close() {
	s.closeFile()
	s.rc.SetWriteDeadline(time.Time{})
}

func sseJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
