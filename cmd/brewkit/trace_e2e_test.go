package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// TestE2EBuildTrace: build --trace writes a Chrome trace with a span per
// job on its worker's lanes, phases inside, and prints the critical path
// and the time by phase.
func TestE2EBuildTrace(t *testing.T) {
	farm := farmtest.Require(t)
	lib := pushLibrary(t)
	run := "e2e-trace-" + pushRandom(t)
	trace := filepath.Join(t.TempDir(), "trace.json")
	out, stderr, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, "--library", lib, "build", "--all",
		"--cache", t.TempDir(), "--workers", farm.File, "--staging", farm.Registry+"/"+run+"/staging",
		"--push", farm.Registry+"/"+run+"/library", "--progress", "quiet", "--trace", trace)
	if err != nil {
		t.Fatalf("brewkit build: %v\n%s\nstderr:\n%s", err, out, stderr)
	}
	for _, want := range []string{"critical path (", "time by phase, over all jobs:", "step", "export", "trace: " + trace} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, stderr)
		}
	}
	raw, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		TraceEvents []struct {
			Name, Cat, Ph string
			Ts, Dur       float64
			Pid, Tid      int
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatalf("the trace is not JSON: %v", err)
	}
	jobs, phases := 0, map[string]int{}
	for _, e := range tr.TraceEvents {
		switch {
		case e.Ph == "X" && e.Cat == "job":
			jobs++
			if e.Pid == 0 || e.Tid == 0 || e.Dur <= 0 {
				t.Errorf("job span %+v: want it on a worker's lane, with a duration", e)
			}
		case e.Ph == "X":
			phases[e.Cat]++
		}
	}
	if jobs != 4 { // two entries of two arches each
		t.Errorf("%d job spans, want 4", jobs)
	}
	for _, p := range []string{"source", "step", "export", "publish"} {
		if phases[p] == 0 {
			t.Errorf("no %s span in the trace (%v)", p, phases)
		}
	}
}
