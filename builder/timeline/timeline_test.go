package timeline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/brewkit/brewkit/scheduler"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func at(s float64) time.Time     { return t0.Add(time.Duration(s * float64(time.Second))) }
func ptr(t time.Time) *time.Time { return &t }

// run feeds rec a job's life: ready, started on worker, its vertexes and
// statuses, ended.
func run(rec *Recorder, o *scheduler.Outcome, ready float64, status *client.SolveStatus) {
	rec.Observe(scheduler.Event{Kind: scheduler.JobReady, Outcome: o})
	rec.mu.Lock()
	rec.jobs[o.Job].ready = at(ready) // the event's time is the clock's
	rec.mu.Unlock()
	rec.Observe(scheduler.Event{Kind: scheduler.JobStarted, Outcome: &scheduler.Outcome{Job: o.Job, Worker: o.Worker, Start: o.Start}})
	rec.add(o.Job, status)
	rec.Observe(scheduler.Event{Kind: scheduler.JobEnded, Outcome: o})
}

func vertex(d, name string, from, to float64) *client.Vertex {
	return &client.Vertex{Digest: digest.FromString(d), Name: name, Started: ptr(at(from)), Completed: ptr(at(to))}
}

// Three jobs: base, then child FROM base, and other beside them on the
// same worker: two lanes, the critical path base -> child, phases by
// vertex names, a push status nested in the export.
func TestRecorder(t *testing.T) {
	base := &scheduler.Job{ID: "b/amd64", Arch: "amd64", Tags: []string{"base:1"}}
	child := &scheduler.Job{ID: "c/amd64", Arch: "amd64", Tags: []string{"child:1"}, Parents: []scheduler.Edge{{From: "base:1", Job: base}}}
	other := &scheduler.Job{ID: "o/amd64", Arch: "amd64", Tags: []string{"other:1"}}
	ob := &scheduler.Outcome{Job: base, Status: scheduler.Built, Worker: "w1", Start: at(0), End: at(4)}
	oc := &scheduler.Outcome{Job: child, Status: scheduler.Built, Worker: "w1", Start: at(5), End: at(8)}
	oo := &scheduler.Outcome{Job: other, Status: scheduler.Built, Worker: "w1", Start: at(1), End: at(3)}
	rec := New()
	run(rec, ob, 0, &client.SolveStatus{Vertexes: []*client.Vertex{
		vertex("ctx", "[internal] load build context", 0, 1),
		vertex("run", "[amd64 base:1] [2/2] RUN make", 1, 3),
		vertex("exp", "exporting to image", 3, 4),
	}, Statuses: []*client.VertexStatus{{ID: "pushing layers", Vertex: digest.FromString("exp"), Started: ptr(at(3.5)), Completed: ptr(at(4))}}})
	run(rec, oo, 0, &client.SolveStatus{Vertexes: []*client.Vertex{vertex("run2", "[1/1] COPY x /x", 1, 3)}})
	run(rec, oc, 4, &client.SolveStatus{Vertexes: []*client.Vertex{vertex("run3", "[builder 1/2] RUN go build", 5, 8)}})
	report := &scheduler.Report{Outcomes: []*scheduler.Outcome{ob, oc, oo}, Start: at(0), End: at(8)}

	s := rec.Summary(report)
	var chain []string
	for _, l := range s.Critical {
		chain = append(chain, l.Job)
	}
	if strings.Join(chain, " ") != "base:1 (amd64) child:1 (amd64)" || s.Critical[1].Wait != time.Second || s.Makespan != 8*time.Second {
		t.Errorf("critical path %+v, makespan %s; want base then child, which waited 1s", s.Critical, s.Makespan)
	}
	got := map[string]time.Duration{}
	for _, p := range s.Phases {
		got[p.Phase] = p.Time
	}
	want := map[string]time.Duration{PhaseWait: 1*time.Second + 1*time.Second, PhaseSource: time.Second, PhaseStep: 7 * time.Second,
		PhaseExport: 500 * time.Millisecond, PhasePush: 500 * time.Millisecond}
	for p, d := range want {
		if got[p] != d {
			t.Errorf("phase %s = %s, want %s (all: %v)", p, got[p], d, got)
		}
	}
	if !strings.Contains(s.String(), "critical path (8s of the 8s makespan)") {
		t.Errorf("summary:\n%s", s)
	}

	var buf bytes.Buffer
	if err := rec.WriteTrace(&buf); err != nil {
		t.Fatal(err)
	}
	var trace struct {
		TraceEvents []event `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &trace); err != nil {
		t.Fatalf("the trace is not JSON: %v\n%s", err, buf.String())
	}
	lanes := map[string]int{}
	var push *event
	for i, e := range trace.TraceEvents {
		if e.Cat == "job" {
			lanes[e.Name] = e.Tid
		}
		if e.Cat == PhasePush {
			push = &trace.TraceEvents[i]
		}
	}
	if lanes["base:1 (amd64)"] == lanes["other:1 (amd64)"] || lanes["child:1 (amd64)"] != lanes["base:1 (amd64)"] {
		t.Errorf("lanes %v: want base and other apart (they ran at once), child on base's freed lane", lanes)
	}
	if push == nil || push.Ts != 3.5e6 || push.Dur != 0.5e6 {
		t.Errorf("push span %+v, want 3.5s for 0.5s, nested in the export", push)
	}
}

func TestPhaseOf(t *testing.T) {
	for name, want := range map[string]string{
		"[internal] load build context":                      PhaseSource,
		"[internal] load git source git://h/r#abc":           PhaseSource,
		"[internal] load metadata for docker.io/library/x:1": PhaseSource,
		"[internal] load build definition from Dockerfile":   PhaseSource,
		"[amd64 base:1] [2/3] RUN make":                      PhaseStep,
		"[build 1/4] FROM docker.io/library/golang":          PhaseStep,
		"exporting to image":                                 PhaseExport,
		"exporting to oci image format":                      PhaseExport,
		"resolve image config for x":                         PhaseOther,
	} {
		if got := phaseOf(name); got != want {
			t.Errorf("phaseOf(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestIntervals(t *testing.T) {
	u := union([]interval{{at(3), at(5)}, {at(0), at(1)}, {at(4), at(6)}, {at(2), at(2)}})
	if length(u) != 4*time.Second || len(u) != 2 {
		t.Errorf("union %v: want [0,1) [3,6)", u)
	}
	if d := length(subtract(u, []interval{{at(0.5), at(4)}})); d != 2500*time.Millisecond {
		t.Errorf("subtract: %s, want 2.5s", d)
	}
}

func TestLanes(t *testing.T) {
	j1 := &scheduler.Job{ID: "a/amd64", Arch: "amd64", Tags: []string{"a:1"}}
	j2 := &scheduler.Job{ID: "b/amd64", Arch: "amd64", Tags: []string{"b:1"}}
	rec := New()
	run(rec, &scheduler.Outcome{Job: j1, Status: scheduler.Built, Worker: "w", Start: at(0), End: at(2)}, 0,
		&client.SolveStatus{Vertexes: []*client.Vertex{vertex("s", "[1/1] RUN x", 0.5, 2)}})
	run(rec, &scheduler.Outcome{Job: j2, Status: scheduler.Built, Worker: "w", Start: at(1), End: at(3)}, 0, &client.SolveStatus{})
	lanes, span := rec.Lanes()
	if len(lanes) != 2 || span != 3*time.Second {
		t.Fatalf("lanes %+v, span %s: want two lanes of w over 3s", lanes, span)
	}
	a := lanes[0].Jobs[0]
	if a.Job != "a:1 (amd64)" || a.End != 2*time.Second || len(a.Phases) != 1 || a.Phases[0].Start != 500*time.Millisecond {
		t.Errorf("lane 1: %+v", lanes[0])
	}
	if lanes[1].Slot != 2 || lanes[1].Jobs[0].Job != "b:1 (amd64)" {
		t.Errorf("lane 2: %+v", lanes[1])
	}
}

func TestAttempts(t *testing.T) {
	j := &scheduler.Job{ID: "a/amd64", Arch: "amd64", Tags: []string{"a:1"}}
	rec := New()
	run(rec, &scheduler.Outcome{Job: j, Status: scheduler.Built, Worker: "w", Start: at(0), End: at(4)}, 0,
		&client.SolveStatus{Vertexes: []*client.Vertex{
			vertex("ctx", "[internal] load build context", 0, 1),
			vertex("s1", "[1/2] COPY x /x", 1, 1.5),
			vertex("s2", "[2/2] RUN sleep 2", 1.5, 3.5),
		}})
	got := rec.Attempts()
	if len(got) != 1 || got[0].Took != 4*time.Second || len(got[0].Steps) != 2 || got[0].Steps[1].Took != 2*time.Second ||
		got[0].Phases[PhaseStep] != 2500*time.Millisecond || got[0].Phases[PhaseSource] != time.Second || got[0].Phases[PhaseOther] != 500*time.Millisecond {
		t.Errorf("attempts %+v", got)
	}
}
