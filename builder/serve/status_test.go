package serve

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestStatusWorkers checks the workers of GET /api/v1/status: one whose
// socket nobody listens on is down, one whose TLS CA file is missing is
// unusable, each with the probe's error. A heartbeat probes them; neither
// probe leaves the machine.
func TestStatusWorkers(t *testing.T) {
	dir := t.TempDir()
	ws := []workers.Worker{
		{Name: "gone", Address: "unix://" + filepath.Join(dir, "gone.sock"), Arches: []string{"amd64"}, Concurrency: 2},
		{Name: "broken", Address: "tcp://127.0.0.1:1", Arches: []string{"arm64v8"}, Concurrency: 1,
			TLS: &workers.TLS{CA: filepath.Join(dir, "missing-ca.pem")}},
	}
	target, err := engine.Farm(ws, "127.0.0.1:1", "")
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDaemonOn(t, engine.Options{Target: target, Heartbeat: 10 * time.Millisecond})
	waitHealth(t, d.opts.Engine, func(hs []scheduler.WorkerHealth) bool { return !hs[0].Up && hs[1].Unusable })

	srv := httptest.NewServer(d.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Workers []map[string]any `json:"workers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	type worker struct {
		Up, Unusable bool
		HasUnusable  bool // the field is there: it is omitted when false
	}
	got, errs := map[string]worker{}, map[string]string{}
	for _, w := range s.Workers {
		name, _ := w["name"].(string)
		up, _ := w["up"].(bool)
		unusable, has := w["unusable"].(bool)
		got[name] = worker{Up: up, Unusable: unusable, HasUnusable: has}
		errs[name], _ = w["error"].(string)
	}
	want := map[string]worker{"gone": {}, "broken": {Unusable: true, HasUnusable: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("workers (-want +got):\n%s", diff)
	}
	for name, wantErr := range map[string]string{
		"gone":   "cannot connect: dial unix " + filepath.Join(dir, "gone.sock"),
		"broken": "TLS: cannot read the CA file: open " + filepath.Join(dir, "missing-ca.pem"),
	} {
		if !strings.Contains(errs[name], wantErr) {
			t.Errorf("%s: error %q, want one containing %q", name, errs[name], wantErr)
		}
	}
}

// waitHealth waits until ok holds of e's workers, for up to 10 s.
func waitHealth(t *testing.T, e *engine.Engine, ok func([]scheduler.WorkerHealth) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok(e.Health()) {
		if time.Now().After(deadline) {
			t.Fatalf("workers after 10 s: %+v", e.Health())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
