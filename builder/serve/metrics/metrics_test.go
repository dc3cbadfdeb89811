package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// newTestMetrics is Metrics over a store of its own and an engine with
// a worker for amd64 that was never asked to build, on reg (nil: New's).
func newTestMetrics(t *testing.T, reg *prometheus.Registry) (*Metrics, *store.Store) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	target, err := engine.Farm([]workers.Worker{{Name: "w1", Address: "unix:///nowhere.sock", Arches: []string{"amd64"}, Concurrency: 1}}, "127.0.0.1:1", "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	m, err := New(Options{Jobs: st, Workers: e, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

// TestMetrics drives Metrics with the events of a few jobs, syncs and a
// publish, over a store with jobs, and checks every metric and that
// they pass Prometheus's lint.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, st := newTestMetrics(t, reg)
	if err := st.PutJobs(store.Job{ID: "a/amd64", State: serve.StateQueued}, store.Job{ID: "b/amd64", State: serve.StateRunning},
		store.Job{ID: "c/arm64v8", State: serve.StateFailed}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1773500000, 0)
	job := func(arch, state string, queued, start, end time.Duration) store.Job {
		return store.Job{ID: "x/" + arch, Arch: arch, State: state, Queued: t0.Add(queued), Start: t0.Add(start), End: t0.Add(end)}
	}
	for _, ev := range []serve.Event{
		{Kind: serve.JobQueued, Job: job("amd64", serve.StateQueued, 0, 0, 0)},
		{Kind: serve.JobStarted, Job: job("amd64", serve.StateRunning, 0, 30*time.Second, 0)},
		{Kind: serve.JobEnded, Outcome: "built", Job: job("amd64", serve.StateSucceeded, 0, 30*time.Second, 630*time.Second)},
		{Kind: serve.JobStarted, Job: job("arm64v8", serve.StateRunning, 0, 2*time.Second, 0)},
		{Kind: serve.JobEnded, Outcome: "failed", Job: job("arm64v8", serve.StateFailed, 0, 2*time.Second, 42*time.Second)},
		{Kind: serve.JobEnded, Outcome: "up to date", Job: job("arm64v8", serve.StateSucceeded, 0, 2*time.Second, 3*time.Second)},
		{Kind: serve.JobEnded, Outcome: "", Job: job("arm64v8", serve.StateBackoff, 0, 2*time.Second, 3*time.Second)}, // held back
		{Kind: serve.Synced, Time: t0, Commit: "c1", Took: 2 * time.Second},
		{Kind: serve.Synced, Time: t0.Add(time.Minute), Took: 20 * time.Second, Err: errors.New("fetch failed")},
		{Kind: serve.TagPublished, Tag: store.Tag{Ref: "r/library/foo:1"}},
		{Kind: serve.Published, Indexes: map[string]int{"written": 2, "up to date": 5, "blocked": 1, "failed": 0}, Retries: 3},
		{Kind: serve.RunEnded, Run: store.Run{ID: 1}},
	} {
		m.Observe(ev)
	}
	want := `
# HELP brewkit_job_attempts_failed_total Builds that failed (not those held back by their backoff).
# TYPE brewkit_job_attempts_failed_total counter
brewkit_job_attempts_failed_total{arch="arm64v8"} 1
# HELP brewkit_jobs Jobs of the current plan, by state and arch.
# TYPE brewkit_jobs gauge
` + jobLines(map[string]map[string]int{"amd64": {"queued": 1, "running": 1}, "arm64v8": {"failed": 1}}) + `
# HELP brewkit_last_successful_sync_timestamp_seconds When the last sync that did not fail ended, in Unix seconds.
# TYPE brewkit_last_successful_sync_timestamp_seconds gauge
brewkit_last_successful_sync_timestamp_seconds 1.7735e+09
# HELP brewkit_publish_indexes_total Indexes published, by action: written, up_to_date, blocked, failed.
# TYPE brewkit_publish_indexes_total counter
brewkit_publish_indexes_total{action="blocked"} 1
brewkit_publish_indexes_total{action="failed"} 0
brewkit_publish_indexes_total{action="up_to_date"} 5
brewkit_publish_indexes_total{action="written"} 2
# HELP brewkit_registry_retries_total Registry requests of a publish sent again (429, 5xx, network errors).
# TYPE brewkit_registry_retries_total counter
brewkit_registry_retries_total 3
# HELP brewkit_sync_failures_total Syncs that failed.
# TYPE brewkit_sync_failures_total counter
brewkit_sync_failures_total 1
# HELP brewkit_worker_unusable 1 if the worker is out of service for a configuration error (such as its TLS certificate), 0 if not, for each arch it builds.
# TYPE brewkit_worker_unusable gauge
brewkit_worker_unusable{arch="amd64",worker="w1"} 0
# HELP brewkit_worker_up 1 if the worker is up, 0 if not, for each arch it builds.
# TYPE brewkit_worker_up gauge
brewkit_worker_up{arch="amd64",worker="w1"} 1
`
	names := []string{"brewkit_job_attempts_failed_total", "brewkit_jobs", "brewkit_last_successful_sync_timestamp_seconds",
		"brewkit_publish_indexes_total", "brewkit_registry_retries_total", "brewkit_sync_failures_total", "brewkit_worker_unusable",
		"brewkit_worker_up"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	histograms := []struct {
		name  string
		count int
		sum   float64
	}{
		{"brewkit_job_queue_wait_seconds", 2, 32},
		{"brewkit_job_build_duration_seconds", 2, 640},
		{"brewkit_sync_duration_seconds", 2, 22},
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range histograms {
		var count uint64
		var sum float64
		for _, mf := range mfs {
			if mf.GetName() == h.name {
				for _, mt := range mf.GetMetric() {
					count += mt.GetHistogram().GetSampleCount()
					sum += mt.GetHistogram().GetSampleSum()
				}
			}
		}
		if int(count) != h.count || sum != h.sum {
			t.Errorf("%s: %d observations summing to %v; want %d, %v", h.name, count, sum, h.count, h.sum)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// jobLines is the brewkit_jobs series of counts, by arch then state:
// every state of every arch.
func jobLines(counts map[string]map[string]int) string {
	var b strings.Builder
	for _, arch := range []string{"amd64", "arm64v8"} {
		for _, state := range serve.States() {
			b.WriteString(`brewkit_jobs{arch="` + arch + `",state="` + state + `"} ` + strconv.Itoa(counts[arch][state]) + "\n")
		}
	}
	return b.String()
}

// TestHandler serves the metrics, Go's and the process's included on
// the registry New makes.
func TestHandler(t *testing.T) {
	m, _ := newTestMetrics(t, nil)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d, %v", resp.StatusCode, err)
	}
	for _, want := range []string{`brewkit_worker_up{arch="amd64",worker="w1"} 1`, `brewkit_publish_indexes_total{action="written"} 0`,
		`brewkit_jobs{arch="amd64",state="queued"} 0`, "go_goroutines ", "process_start_time_seconds "} {
		if !strings.Contains(string(body), want) {
			t.Errorf("GET /metrics lacks %q:\n%s", want, body)
		}
	}
}

// TestWorkerStates checks the worker gauges of a worker that is down (its
// socket does not answer) and of one that is unusable (its TLS CA file is
// missing), once a heartbeat has probed them; neither probe leaves the
// machine.
func TestWorkerStates(t *testing.T) {
	dir := t.TempDir()
	ws := []workers.Worker{
		{Name: "gone", Address: "unix://" + filepath.Join(dir, "gone.sock"), Arches: []string{"amd64"}},
		{Name: "broken", Address: "tcp://127.0.0.1:1", Arches: []string{"arm64v8", "arm32v7"},
			TLS: &workers.TLS{CA: filepath.Join(dir, "missing-ca.pem")}},
	}
	target, err := engine.Farm(ws, "127.0.0.1:1", "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Heartbeat: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := prometheus.NewRegistry()
	if _, err := New(Options{Jobs: st, Workers: e, Registry: reg}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for hs := e.Health(); hs[0].Up || !hs[1].Unusable; hs = e.Health() {
		if time.Now().After(deadline) {
			t.Fatalf("workers after 10 s: %+v", hs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	want := `
# HELP brewkit_worker_unusable 1 if the worker is out of service for a configuration error (such as its TLS certificate), 0 if not, for each arch it builds.
# TYPE brewkit_worker_unusable gauge
brewkit_worker_unusable{arch="amd64",worker="gone"} 0
brewkit_worker_unusable{arch="arm32v7",worker="broken"} 1
brewkit_worker_unusable{arch="arm64v8",worker="broken"} 1
# HELP brewkit_worker_up 1 if the worker is up, 0 if not, for each arch it builds.
# TYPE brewkit_worker_up gauge
brewkit_worker_up{arch="amd64",worker="gone"} 0
brewkit_worker_up{arch="arm32v7",worker="broken"} 0
brewkit_worker_up{arch="arm64v8",worker="broken"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "brewkit_worker_up", "brewkit_worker_unusable"); err != nil {
		t.Error(err)
	}
}

// New refuses Options without a store or workers.
func TestNewRefusesMissingSources(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New(Options{}): no error")
	}
}
