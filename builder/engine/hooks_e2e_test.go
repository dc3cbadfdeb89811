package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
)

// TestE2EBuildLogs builds a base, its child and another image with Logs
// set, and checks that each job had one log, closed, with its own
// Dockerfile step and none of another job's; then builds them again and
// checks that each new log says the job is up to date.
func TestE2EBuildLogs(t *testing.T) {
	farm := farmtest.Require(t)
	e, lib := newHookEngine(t, farm, map[string]string{"base": "FROM scratch", "child": "FROM base:1", "other": "FROM scratch"}, "amd64, arm64v8")
	p := plan(t, e, lib, "base", "child", "other")
	logs := &jobLogs{}
	b, err := e.Build(t.Context(), p, engine.BuildOptions{Logs: logs.open})
	if err != nil {
		t.Fatal(err)
	}
	if b.Report.Count(scheduler.Built) != len(p.Jobs) {
		t.Fatalf("%d of %d jobs built: %v", b.Report.Count(scheduler.Built), len(p.Jobs), b.Report.Err())
	}
	for _, j := range p.Jobs {
		got := logs.only(t, j)
		dir := strings.TrimSuffix(j.Tags[0], ":1")
		for _, want := range []string{prefix(j), "COPY nonce /" + dir + "-nonce"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: log lacks %q:\n%s", j, want, got)
			}
		}
		for _, other := range p.Jobs {
			if other != j && strings.Contains(logs.only(t, other), prefix(j)) {
				t.Errorf("%s's log has %q, of %s", other, prefix(j), j)
			}
		}
	}

	logs = &jobLogs{}
	if _, err := e.Build(t.Context(), p, engine.BuildOptions{Logs: logs.open}); err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Jobs {
		if got, want := logs.only(t, j), prefix(j)+"] up to date: "; !strings.Contains(got, want) {
			t.Errorf("%s, built already: log lacks %q:\n%s", j, want, got)
		}
	}
}

// TestE2EBuildAdmit builds a base and its child with Admit refusing the
// base: the base fails with the refusal and keeps its build id, the child
// is skipped without being asked about. With Admit allowing, both are
// built; once they are staged, Admit is not asked about them at all.
func TestE2EBuildAdmit(t *testing.T) {
	farm := farmtest.Require(t)
	e, lib := newHookEngine(t, farm, map[string]string{"base": "FROM scratch", "child": "FROM base:1"}, "amd64, arm64v8")
	p := plan(t, e, lib, "base", "child")
	errBackoff := errors.New("in backoff until tomorrow")
	for _, tt := range []struct {
		name       string
		refuse     func(*scheduler.Job) bool
		wantAsked  []string // tags[0] of the jobs asked about, sorted
		wantStatus map[string]scheduler.Status
	}{
		{"base refused", func(j *scheduler.Job) bool { return j.Tags[0] == "base:1" },
			[]string{"base:1", "base:1"}, map[string]scheduler.Status{"base:1": scheduler.Failed, "child:1": scheduler.Skipped}},
		{"all admitted", func(*scheduler.Job) bool { return false },
			[]string{"base:1", "base:1", "child:1", "child:1"}, map[string]scheduler.Status{"base:1": scheduler.Built, "child:1": scheduler.Built}},
		{"staged: none asked", func(*scheduler.Job) bool { return true },
			nil, map[string]scheduler.Status{"base:1": scheduler.UpToDate, "child:1": scheduler.UpToDate}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			asked := map[*scheduler.Job]string{}
			admit := func(j *scheduler.Job, buildID string) error {
				mu.Lock()
				defer mu.Unlock()
				asked[j] = buildID
				if tt.refuse(j) {
					return errBackoff
				}
				return nil
			}
			b, err := e.Build(t.Context(), p, engine.BuildOptions{Admit: admit})
			if err != nil {
				t.Fatal(err)
			}
			var gotAsked []string
			for j := range asked {
				gotAsked = append(gotAsked, j.Tags[0])
			}
			if slices.Sort(gotAsked); !slices.Equal(gotAsked, tt.wantAsked) {
				t.Errorf("Admit asked about %q, want %q", gotAsked, tt.wantAsked)
			}
			for _, o := range b.Report.Outcomes {
				if want := tt.wantStatus[o.Job.Tags[0]]; o.Status != want {
					t.Errorf("%s %s (%v), want %s", o.Job, o.Status, o.Err, want)
				}
				if o.Status == scheduler.Failed && (!errors.Is(o.Err, errBackoff) || o.Attempts != 1) {
					t.Errorf("%s failed with %v after %d attempts; want Admit's error, once", o.Job, o.Err, o.Attempts)
				}
				if id, ok := asked[o.Job]; ok && o.Result.BuildID != id {
					t.Errorf("%s: result's build id %q; Admit was asked about %s", o.Job, o.Result.BuildID, id)
				}
			}
		})
	}
}

// TestE2EBuildCancelled cancels a build while its RUN sleeps for an hour
// on the farm, and checks that Build returns, the job cancelled, and that
// its log, closed, has the worker's word that the step was cancelled. A
// Solve that did not return would hang the test until go test's timeout.
func TestE2EBuildCancelled(t *testing.T) {
	farm := farmtest.Require(t)
	busybox := string(farmtest.Busybox(t, "amd64"))
	e, lib := newHookEngine(t, farm, map[string]string{"sleeper": "FROM scratch\nCOPY busybox /bin/busybox\n" +
		"RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nRUN echo started-$((6*7)) && sleep 3600"}, "amd64", "sleeper/busybox", busybox)
	p := plan(t, e, lib, "sleeper")
	logs := &jobLogs{watch: "started-42", seen: make(chan struct{})} // the RUN's output, not its command
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type built struct {
		b   *engine.Build
		err error
	}
	done := make(chan built, 1)
	go func() {
		b, err := e.Build(ctx, p, engine.BuildOptions{Logs: logs.open})
		done <- built{b, err}
	}()
	var res built
	select {
	case <-logs.seen:
		start := time.Now()
		cancel()
		res = <-done
		t.Logf("Build returned %s after its context was cancelled", time.Since(start).Round(time.Millisecond))
	case res = <-done:
		if res.err == nil {
			res.err = res.b.Report.Err()
		}
		t.Fatalf("the build ended before its RUN started: %v", res.err)
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	j := p.Jobs[0]
	if o := res.b.Report.Outcomes[0]; o.Status != scheduler.Cancelled {
		t.Errorf("%s %s (%v), want cancelled", o.Job, o.Status, o.Err)
	}
	got := logs.only(t, j)
	for _, want := range []string{"RUN echo started-$((6*7)) && sleep 3600", "CANCELED"} { // the worker's word
		if !strings.Contains(got, want) {
			t.Errorf("%s: log lacks %q:\n%s", j, want, got)
		}
	}
}

// newHookEngine serves a git repository with a directory per image of
// froms (its Dockerfile: the FROM line given, then "COPY nonce
// /NAME-nonce"), writes a library file per image for arches, and returns
// an Engine on the farm and the library. extra are more files, path then
// content.
func newHookEngine(t *testing.T, farm farmtest.Farm, froms map[string]string, arches string, extra ...string) (*engine.Engine, string) {
	t.Helper()
	nonce := fmt.Sprint(time.Now().UnixNano()) // images no earlier run staged
	files := map[string]string{}
	for name, from := range froms {
		files[name+"/Dockerfile"] = from + "\nCOPY nonce /" + name + "-nonce\n"
		files[name+"/nonce"] = nonce
	}
	for i := 0; i+1 < len(extra); i += 2 {
		files[extra[i]] = extra[i+1]
	}
	url, commit := farmtest.GitDaemon(t).NewRepo(t, "hooks", files)
	lib := t.TempDir()
	for name := range froms {
		text := fmt.Sprintf("Maintainers: x <x@example.com> (@x)\nGitRepo: %s\n\nTags: 1\nArchitectures: %s\nGitCommit: %s\nDirectory: %s\n", url, arches, commit, name)
		if err := os.WriteFile(filepath.Join(lib, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	target, err := engine.Farm(farm.Workers, farm.Registry, farm.Registry+"/engine-e2e/staging")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, lib
}

// prefix is how the display, and so a job's log, names the job's steps.
func prefix(j *scheduler.Job) string { return "[" + j.Arch + " " + j.String() }

// jobLogs keeps every attempt's log in memory, by job. If watch is set,
// seen is closed once a log has had watch written to it.
type jobLogs struct {
	watch    string
	seen     chan struct{}
	seenOnce sync.Once

	mu   sync.Mutex
	logs map[*scheduler.Job][]*memLog
}

func (l *jobLogs) open(_ context.Context, job *scheduler.Job) (io.WriteCloser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.logs == nil {
		l.logs = map[*scheduler.Job][]*memLog{}
	}
	m := &memLog{logs: l}
	l.logs[job] = append(l.logs[job], m)
	return m, nil
}

// only returns job's one log, failing the test unless there is exactly
// one and it is closed.
func (l *jobLogs) only(t *testing.T, job *scheduler.Job) string {
	t.Helper()
	l.mu.Lock()
	logs := l.logs[job]
	l.mu.Unlock()
	if len(logs) != 1 {
		t.Fatalf("%s: %d logs, want 1", job, len(logs))
	}
	m := logs[0]
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		t.Errorf("%s: log not closed", job)
	}
	return m.buf.String()
}

type memLog struct {
	logs *jobLogs

	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

func (m *memLog) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, errors.New("write after close")
	}
	n, err := m.buf.Write(p)
	if w := m.logs.watch; w != "" && bytes.Contains(m.buf.Bytes(), []byte(w)) {
		m.logs.seenOnce.Do(func() { close(m.logs.seen) })
	}
	return n, err
}

func (m *memLog) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
