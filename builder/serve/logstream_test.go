package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct{ name, data string }

// readSSE reads the events of r until it ends.
func readSSE(r io.Reader, each func(sseEvent)) error {
	br := bufio.NewReader(r)
	var ev sseEvent
	var data []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if data != nil {
				ev.data = strings.Join(data, "\n")
				each(ev)
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			return fmt.Errorf("not an event line: %q", line)
		}
	}
}

// follow streams url and returns the log it got (each message's lines,
// each ended by a newline), and its other events.
func follow(ctx context.Context, url string) (string, []sseEvent, error) {
	return following(ctx, url, nil)
}

// following is follow, calling onData with each message's lines.
func following(ctx context.Context, url string, onData func(string)) (string, []sseEvent, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		body, _ := io.ReadAll(resp.Body)
		return "", nil, fmt.Errorf("%s: %s %s", url, resp.Status, body)
	}
	var log strings.Builder
	var events []sseEvent
	err = readSSE(resp.Body, func(ev sseEvent) {
		if ev.name == "" {
			log.WriteString(ev.data + "\n")
			if onData != nil {
				onData(ev.data)
			}
		} else {
			events = append(events, ev)
		}
	})
	return log.String(), events, err
}

// setRunning says a run is in progress, as the test pretends.
func (d *Daemon) setRunning(v bool) {
	d.mu.Lock()
	d.running = v
	d.mu.Unlock()
}

func putJob(t *testing.T, d *Daemon, j store.Job) {
	t.Helper()
	if err := d.opts.Store.PutJobs(j); err != nil {
		t.Fatal(err)
	}
}

// TestLogStreamManyReaders has 200 clients follow the log of one job as
// it is queued, runs, writes its log in pieces, fails an attempt, runs
// again into a new log file and ends: every client gets every byte of
// both logs, and the API answers meanwhile.
func TestLogStreamManyReaders(t *testing.T) {
	const readers = 200
	d := newTestDaemon(t)
	d.setRunning(true)
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	job := store.Job{ID: "src/amd64", Repo: "foo", Tags: []string{"foo:1"}, Arch: "amd64", State: StateQueued}
	putJob(t, d, job)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	type result struct {
		log    string
		events []sseEvent
		err    error
	}
	results := make(chan result, readers)
	// An attempt that starts and ends within a poll of the store is
	// missed: the writer waits for every reader to have the end of the
	// first attempt's log before it starts the second.
	var sawFirst sync.WaitGroup
	sawFirst.Add(readers)
	for i := range readers {
		url := srv.URL + "/api/v1/jobs/src/amd64/log"
		if i%2 == 1 {
			url += "?follow=1"
		}
		go func() {
			var once sync.Once
			log, events, err := following(ctx, url, func(lines string) {
				if strings.HasSuffix(lines, "attempt 1 ends") {
					once.Do(sawFirst.Done)
				}
			})
			once.Do(sawFirst.Done) // in case it never came
			results <- result{log, events, err}
		}()
	}
	waitUntil(t, "every reader connected", func() bool { return d.LogStreams() == readers })

	// The API answers while the streams are open.
	apiDone := make(chan error, 1)
	stopAPI := make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-stopAPI:
				if n == 0 {
					apiDone <- fmt.Errorf("no API request was made")
				}
				apiDone <- nil
				return
			default:
			}
			for _, p := range []string{"/healthz", "/api/v1/status"} {
				if err := get(ctx, srv.URL+p); err != nil {
					apiDone <- err
					return
				}
				n++
			}
		}
	}()

	var want strings.Builder
	write := func(f *os.File, s string) {
		t.Helper()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
		want.WriteString(s)
	}
	for attempt := 1; attempt <= 2; attempt++ {
		f, path, err := d.opts.Logs.Create(job.ID, attempt)
		if err != nil {
			t.Fatal(err)
		}
		job.State, job.Log, job.Attempts = StateRunning, path, attempt
		putJob(t, d, job)
		for i := range 40 {
			if i%10 == 3 {
				write(f, fmt.Sprintf("#%d attempt %d: a line written in two ", i, attempt))
				time.Sleep(2 * time.Millisecond)
				write(f, "pieces\n")
				continue
			}
			write(f, fmt.Sprintf("#%d attempt %d: %s\n", i, attempt, strings.Repeat("x", i*10)))
			time.Sleep(2 * time.Millisecond)
		}
		write(f, fmt.Sprintf("attempt %d ends\n", attempt))
		f.Close()
		if attempt == 1 {
			sawFirst.Wait()
			job.State = StateQueued // the runner tries it again
			putJob(t, d, job)
		}
	}
	job.State = StateSucceeded
	putJob(t, d, job)

	wantEvents := []sseEvent{{"attempt", `{"attempt":1}`}, {"attempt", `{"attempt":2}`}, {"end", `{"state":"succeeded"}`}}
	for range readers {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.log != want.String() {
			t.Fatalf("a reader got the log\n%s\nwant\n%s\nevents %v", r.log, want.String(), r.events)
		}
		if diff := cmp.Diff(wantEvents, r.events, cmp.AllowUnexported(sseEvent{})); diff != "" {
			t.Fatalf("a reader's events (-want +got):\n%s", diff)
		}
	}
	close(stopAPI)
	if err := <-apiDone; err != nil {
		t.Fatalf("the API while %d logs streamed: %v", readers, err)
	}
	waitUntil(t, "every stream closed", func() bool { return d.LogStreams() == 0 })
}

func get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// waitUntil waits for cond, for a minute at most.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogStreamEnds checks the streams that end at once or on their own:
// an ended job's log, a job with no log, a job waiting when no run is in
// progress, a job that leaves the plan, a client that goes, a daemon
// that stops; and that a plain GET is still plain.
func TestLogStreamEnds(t *testing.T) {
	d := newTestDaemon(t)
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	f, path, err := d.opts.Logs.Create("a/amd64", 1)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("one\r\ntwo\rthree\n\nfive") // CR ends lines, the last has no end
	f.Close()
	putJob(t, d, store.Job{ID: "a/amd64", State: StateFailed, Error: "exit code: 1", Log: path, Attempts: 1})
	putJob(t, d, store.Job{ID: "b/amd64", State: StateSucceeded})
	putJob(t, d, store.Job{ID: "c/amd64", State: StateWaiting})
	putJob(t, d, store.Job{ID: "r/amd64", State: StateRunning})

	tests := []struct {
		id, log string
		events  []sseEvent
	}{
		{"a/amd64", "one\ntwo\nthree\n\nfive\n", []sseEvent{{"attempt", `{"attempt":1}`}, {"end", `{"error":"exit code: 1","state":"failed"}`}}},
		{"b/amd64", "", []sseEvent{{"end", `{"state":"succeeded"}`}}},
		{"c/amd64", "", []sseEvent{{"end", `{"state":"waiting"}`}}},
	}
	for _, tt := range tests {
		log, events, err := follow(t.Context(), srv.URL+"/api/v1/jobs/"+tt.id+"/log?follow=1")
		if err != nil {
			t.Fatal(err)
		}
		if log != tt.log {
			t.Errorf("%s: log %q, want %q", tt.id, log, tt.log)
		}
		if diff := cmp.Diff(tt.events, events, cmp.AllowUnexported(sseEvent{})); diff != "" {
			t.Errorf("%s: events (-want +got):\n%s", tt.id, diff)
		}
	}

	// A plain GET is plain.
	resp, err := http.Get(srv.URL + "/api/v1/jobs/a/amd64/log")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "one\r\ntwo\rthree\n\nfive" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("plain GET: %s %q", resp.Header.Get("Content-Type"), body)
	}

	// A running job's stream ends when the job leaves the plan.
	gone := make(chan []sseEvent, 1)
	go func() {
		_, events, _ := follow(t.Context(), srv.URL+"/api/v1/jobs/r/amd64/log?follow=1")
		gone <- events
	}()
	waitUntil(t, "the stream of r open", func() bool { return d.LogStreams() == 1 })
	if err := d.opts.Store.DeleteJobs("r/amd64"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]sseEvent{{"end", `{"state":"gone"}`}}, <-gone, cmp.AllowUnexported(sseEvent{})); diff != "" {
		t.Errorf("a job that left the plan: events (-want +got):\n%s", diff)
	}

	// A client that goes, and a daemon that stops, end their streams.
	putJob(t, d, store.Job{ID: "r/amd64", State: StateRunning})
	ctx, cancel := context.WithCancel(t.Context())
	go follow(ctx, srv.URL+"/api/v1/jobs/r/amd64/log?follow=1")
	waitUntil(t, "the stream of r open", func() bool { return d.LogStreams() == 1 })
	cancel()
	waitUntil(t, "the stream of a client gone closed", func() bool { return d.LogStreams() == 0 })
	stopped := make(chan error, 1)
	go func() {
		_, _, err := follow(t.Context(), srv.URL+"/api/v1/jobs/r/amd64/log?follow=1")
		stopped <- err
	}()
	waitUntil(t, "the stream of r open", func() bool { return d.LogStreams() == 1 })
	d.streams.stop()
	if err := <-stopped; err != nil {
		t.Errorf("a stream as the daemon stopped: %v", err)
	}
	waitUntil(t, "the streams closed as the daemon stopped", func() bool { return d.LogStreams() == 0 })
}

// TestWantsStream checks which requests ask for a stream.
func TestWantsStream(t *testing.T) {
	for target, accept := range map[string]string{
		"/log?follow=1": "", "/log?follow=true": "", "/log": "text/event-stream",
		"/log?x=1": "text/plain;q=0.5, Text/Event-Stream;q=1",
	} {
		r := httptest.NewRequest("GET", target, nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if !wantsStream(r) {
			t.Errorf("%s with Accept %q: no stream, want one", target, accept)
		}
	}
	for _, target := range []string{"/log", "/log?follow=0"} {
		if r := httptest.NewRequest("GET", target, nil); wantsStream(r) {
			t.Errorf("%s: a stream, want plain", target)
		}
	}
}

// TestLogStreamHeartbeat: a stream with nothing to send sends comments.
func TestLogStreamHeartbeat(t *testing.T) {
	d := newTestDaemon(t)
	d.streams.heartbeat = time.Millisecond
	putJob(t, d, store.Job{ID: "r/amd64", State: StateRunning})
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/jobs/r/amd64/log?follow=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for beats := 0; beats < 2; {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": heartbeat\n" {
			beats++
		}
	}
}

// TestLogStreamMax: a stream over the most gets 503, and the plain log
// is still served.
func TestLogStreamMax(t *testing.T) {
	d := newTestDaemon(t)
	d.streams.max = 1
	putJob(t, d, store.Job{ID: "r/amd64", State: StateRunning})
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go follow(ctx, srv.URL+"/api/v1/jobs/r/amd64/log?follow=1")
	waitUntil(t, "the first stream open", func() bool { return d.LogStreams() == 1 })
	resp, err := http.Get(srv.URL + "/api/v1/jobs/r/amd64/log?follow=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "without following it") {
		t.Errorf("a stream over the most: %s %s", resp.Status, body)
	}
	if d.LogStreams() != 1 {
		t.Errorf("%d streams open, want 1", d.LogStreams())
	}
}
