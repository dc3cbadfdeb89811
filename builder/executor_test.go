package builder

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestBuildResultParents checks that a result carries the parents its
// build id was computed from, in FROM order and without scratch, on the
// paths that need no BuildKit: an image already staged (up to date) and
// a dry run of one that is not. An in-plan parent's digest is its
// result's; an external one's is the registry's manifest for the arch.
func TestBuildResultParents(t *testing.T) {
	host := testRegistry(t)
	base := pushImage(t, host+"/base:1", "amd64")
	baseDigest, err := base.Digest()
	if err != nil {
		t.Fatal(err)
	}
	parentDigest := "sha256:" + strings.Repeat("ab", 32)
	parent := scheduler.ParentResult{
		Edge:   scheduler.Edge{From: "foo:parent", Job: &scheduler.Job{ID: "parent"}},
		Result: scheduler.Result{Ref: host + "/staging-amd64@" + parentDigest, Digest: parentDigest},
	}
	froms := []string{"scratch", host + "/base:1", "foo:parent", host + "/base:1"}
	want := []scheduler.Parent{
		{From: host + "/base:1", Digest: baseDigest.String()},
		{From: "foo:parent", Digest: parentDigest},
		{From: host + "/base:1", Digest: baseDigest.String()},
	}
	staged := &scheduler.Job{ID: "staged", Arch: "amd64", SourceID: "staged-source", Froms: froms}
	pushImage(t, host+"/staging-amd64:"+scheduler.BuildID(staged.SourceID, "amd64", want), "amd64")

	for _, tt := range []struct {
		name         string
		sourceID     string
		wantUpToDate bool
		wantNotBuilt bool
	}{
		{name: "up to date", sourceID: staged.SourceID, wantUpToDate: true},
		{name: "dry run, not built", sourceID: "new-source", wantNotBuilt: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &Executor{Staging: host + "/staging", Registry: NewRegistry(), DryRun: true}
			job := &scheduler.Job{ID: tt.name, Arch: "amd64", SourceID: tt.sourceID, Froms: froms}
			res, err := e.Build(t.Context(), workers.Worker{Name: "w"}, job, []scheduler.ParentResult{parent})
			var nb *NotBuiltError
			if got := errors.As(err, &nb); got != tt.wantNotBuilt || (!got && err != nil) {
				t.Fatalf("Build error %v; want a *NotBuiltError: %t", err, tt.wantNotBuilt)
			}
			if diff := cmp.Diff(want, res.Parents); diff != "" {
				t.Errorf("Result.Parents (-want +got):\n%s", diff)
			}
			if wantID := scheduler.BuildID(tt.sourceID, "amd64", want); res.BuildID != wantID {
				t.Errorf("Result.BuildID = %s, want %s (computed from the parents)", res.BuildID, wantID)
			}
			if res.UpToDate != tt.wantUpToDate || res.BuildKit != "" {
				t.Errorf("Result.UpToDate = %t, BuildKit = %q; want %t and none (nothing was built)", res.UpToDate, res.BuildKit, tt.wantUpToDate)
			}
		})
	}
}

// TestBuildAdmit checks where Build asks Admit, on the paths that need no
// BuildKit: never for a job already staged; for one that is not, with its
// build id, and a refusal fails it with the refusal, not to be tried
// again, keeping the build id; a job admitted goes on to be built (here
// it fails on its worker, which is not valid). Each attempt has its log,
// closed, which says when the job is up to date.
func TestBuildAdmit(t *testing.T) {
	host := testRegistry(t)
	errBackoff := errors.New("in backoff")
	const stagedSource = "staged-source"
	pushImage(t, host+"/staging-amd64:"+scheduler.BuildID(stagedSource, "amd64", nil), "amd64")

	for _, tt := range []struct {
		name      string
		sourceID  string
		admit     bool // Admit's answer
		wantAsked bool
		wantErr   string // in the error, which wraps errBackoff if it says "not admitted"; "": no error
		wantLog   string
	}{
		{name: "staged, never asked", sourceID: stagedSource, wantLog: "up to date: " + host + "/staging-amd64@"},
		{name: "not staged, refused", sourceID: "new-source", wantAsked: true, wantErr: "not admitted: in backoff"},
		{name: "not staged, admitted", sourceID: "new-source", admit: true, wantAsked: true, wantErr: `worker "w"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			logs := &testLogs{}
			e := &Executor{Staging: host + "/staging", Registry: NewRegistry(), Logs: logs.open,
				Admit: func(_ *scheduler.Job, buildID string) error {
					asked = append(asked, buildID)
					if tt.admit {
						return nil
					}
					return errBackoff
				}}
			defer e.Close()
			job := &scheduler.Job{ID: tt.name, Arch: "amd64", Tags: []string{"foo:" + tt.name}, SourceID: tt.sourceID, Froms: []string{"scratch"}}
			wantID := scheduler.BuildID(tt.sourceID, "amd64", nil)
			res, err := e.Build(t.Context(), workers.Worker{Name: "w"}, job, nil)
			if want := map[bool][]string{true: {wantID}}[tt.wantAsked]; !slices.Equal(asked, want) {
				t.Errorf("Admit asked about %q, want %q", asked, want)
			}
			refused := strings.Contains(tt.wantErr, "not admitted")
			switch {
			case tt.wantErr == "" && err != nil, tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Build error %v; want one with %q", err, tt.wantErr)
			case errors.Is(err, errBackoff) != refused || (refused && scheduler.IsTransient(err)):
				t.Errorf("Build error %v: wraps Admit's: %t, transient: %t; want %t and false", err, errors.Is(err, errBackoff), scheduler.IsTransient(err), refused)
			}
			if res.BuildID != wantID {
				t.Errorf("Result.BuildID = %q, want %s", res.BuildID, wantID)
			}
			got, closed := logs.get(job)
			if !closed || !strings.Contains(got, tt.wantLog) {
				t.Errorf("log (closed: %t) lacks %q:\n%s", closed, tt.wantLog, got)
			}
		})
	}
}
