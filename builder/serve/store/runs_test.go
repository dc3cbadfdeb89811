package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRuns(t *testing.T) {
	s := openTest(t)
	first := Run{Commit: "c1", Start: testTime(1)}
	first.ID = mustStartRun(t, s, first)
	second := Run{ID: 99, Commit: "c2", Start: testTime(2)} // StartRun ignores the ID
	second.ID = mustStartRun(t, s, second)
	if first.ID == 0 || second.ID <= first.ID {
		t.Fatalf("run ids %d then %d, want increasing from 1", first.ID, second.ID)
	}
	first.End, first.Counts, first.Err = testTime(3), map[string]int{"succeeded": 3, "failed": 1}, "publishing failed"
	if err := s.EndRun(first); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit int
		want  []Run
	}{
		{0, []Run{second, first}},
		{-1, []Run{second, first}},
		{1, []Run{second}},
		{5, []Run{second, first}},
	}
	for _, tt := range tests {
		got, err := s.Runs(tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("Runs(%d) (-want +got):\n%s", tt.limit, d)
		}
	}
}

func TestEndRunOfAnUnknownRun(t *testing.T) {
	s := openTest(t)
	err := s.EndRun(Run{ID: 3})
	if err == nil || !strings.Contains(err.Error(), "run 3") {
		t.Errorf("EndRun of an unknown run: %v, want an error naming it", err)
	}
	if runs, err := s.Runs(0); err != nil || len(runs) != 0 {
		t.Errorf("EndRun of an unknown run stored %v (%v)", runs, err)
	}
}

func TestRunsArePruned(t *testing.T) {
	tests := []struct {
		retention, runs int
		want            []uint64 // ids left, newest first
	}{
		{3, 2, []uint64{2, 1}},
		{3, 3, []uint64{3, 2, 1}},
		{3, 7, []uint64{7, 6, 5}},
		{1, 4, []uint64{4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("keep %d of %d", tt.retention, tt.runs), func(t *testing.T) {
			s := openTest(t, WithRunRetention(tt.retention))
			for range tt.runs {
				mustStartRun(t, s, Run{})
			}
			runs, err := s.Runs(0)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ids left (-want +got):\n%s", d)
			}
		})
	}
}

func TestLowerRetentionPrunesOnNextRun(t *testing.T) {
	dir := t.TempDir()
	s := openIn(t, dir)
	for range 5 {
		mustStartRun(t, s, Run{})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, WithRunRetention(2))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id := mustStartRun(t, s, Run{}); id != 6 {
		t.Errorf("run id after reopening = %d, want 6", id)
	}
	if runs, err := s.Runs(0); err != nil || len(runs) != 2 {
		t.Errorf("after lowering the retention to 2: %d runs (%v)", len(runs), err)
	}
}
