package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"
)

func TestJobRoundTrip(t *testing.T) {
	tests := map[string]Job{
		"every field":       testJob("3b1c/arm64v8", "backoff"),
		"only id and state": {ID: "3b1c/amd64", State: "waiting"},
		"empty slices":      {ID: "3b1c/s390x", State: "skipped", Repos: []string{}, Tags: []string{}},
		"odd id":            {ID: "../../x\x00\n/é", State: "queued"},
	}
	for name, job := range tests {
		t.Run(name, func(t *testing.T) {
			s := openTest(t)
			if err := s.PutJobs(job); err != nil {
				t.Fatal(err)
			}
			got, found, err := s.Job(job.ID)
			if err != nil || !found {
				t.Fatalf("Job(%q) = found %v, %v", job.ID, found, err)
			}
			if d := cmp.Diff(job, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Job(%q) (-put +got):\n%s", job.ID, d)
			}
		})
	}
}

func TestJobRecordIsCompacted(t *testing.T) {
	s := openTest(t)
	job := Job{ID: "a/amd64", State: "succeeded", Record: json.RawMessage("{\n  \"schemaVersion\": 1\n}\n")}
	if err := s.PutJobs(job); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Job(job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"schemaVersion":1}`; string(got.Record) != want {
		t.Errorf("Record = %s, want %s", got.Record, want)
	}
}

func TestJobNotFound(t *testing.T) {
	s := openTest(t)
	if _, found, err := s.Job("nope/amd64"); found || err != nil {
		t.Errorf("Job of an unknown id: found %v, %v", found, err)
	}
}

func TestStateIndexFollowsJobs(t *testing.T) {
	s := openTest(t)
	a, b := testJob("a/amd64", "queued"), testJob("b/amd64", "queued")
	if err := s.PutJobs(a, b); err != nil {
		t.Fatal(err)
	}
	a.State, a.Worker = "running", "amd-1"
	if err := s.PutJobs(a); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s)
	for state, want := range map[string][]Job{"queued": {b}, "running": {a}, "succeeded": nil} {
		got, err := s.Jobs(JobFilter{State: state})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Jobs(%s) (-want +got):\n%s", state, d)
		}
	}
	counts, err := s.CountByState()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"queued": 1, "running": 1}, counts); d != "" {
		t.Errorf("CountByState (-want +got):\n%s", d)
	}
}

func TestStateIndexDoesNotConfusePrefixes(t *testing.T) {
	s := openTest(t)
	if err := s.PutJobs(Job{ID: "a", State: "fail"}, Job{ID: "b", State: "failed"}, Job{ID: "c", State: "failed2"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Jobs(JobFilter{State: "failed"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "b" {
		t.Errorf("Jobs(failed) = %v, want job b only", got)
	}
}

func TestJobFilter(t *testing.T) {
	s := openTest(t)
	jobs := []Job{
		{ID: "s1/amd64", State: "queued", Repo: "debian", Repos: []string{"debian"}, Arch: "amd64"},
		{ID: "s1/arm64v8", State: "running", Repo: "debian", Repos: []string{"debian"}, Arch: "arm64v8"},
		{ID: "s2/amd64", State: "queued", Repo: "buildpack-deps", Repos: []string{"buildpack-deps", "debian"}, Arch: "amd64"},
		{ID: "s3/amd64", State: "failed", Repo: "golang", Arch: "amd64"},
	}
	if err := s.PutJobs(jobs...); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter JobFilter
		want   []string
	}{
		{"everything", JobFilter{}, []string{"s1/amd64", "s1/arm64v8", "s2/amd64", "s3/amd64"}},
		{"a state", JobFilter{State: "queued"}, []string{"s1/amd64", "s2/amd64"}},
		{"a state without jobs", JobFilter{State: "cancelled"}, nil},
		{"a repo, also through Repos", JobFilter{Repo: "debian"}, []string{"s1/amd64", "s1/arm64v8", "s2/amd64"}},
		{"an arch", JobFilter{Arch: "arm64v8"}, []string{"s1/arm64v8"}},
		{"all three", JobFilter{State: "queued", Repo: "debian", Arch: "amd64"}, []string{"s1/amd64", "s2/amd64"}},
		{"nothing matches", JobFilter{State: "failed", Repo: "debian"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Jobs(tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, ids(got)); d != "" {
				t.Errorf("Jobs(%+v) (-want +got):\n%s", tt.filter, d)
			}
		})
	}
}

// ids returns the ids of jobs.
func ids(jobs []Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func TestDeleteJobs(t *testing.T) {
	s := openTest(t)
	if err := s.PutJobs(testJob("a", "queued"), testJob("b", "failed"), testJob("c", "queued")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteJobs("a", "b", "never-was"); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s)
	all, err := s.Jobs(JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"c"}, ids(all)); d != "" {
		t.Errorf("jobs left (-want +got):\n%s", d)
	}
	counts, err := s.CountByState()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]int{"queued": 1}, counts); d != "" {
		t.Errorf("CountByState (-want +got):\n%s", d)
	}
}

func TestPutJobsRefusesBadJobs(t *testing.T) {
	tests := []struct {
		name string
		job  Job
		want string
	}{
		{"no id", Job{State: "queued"}, "without an id"},
		{"no state", Job{ID: "x/amd64"}, "x/amd64: no state"},
		{"NUL in the state", Job{ID: "x/amd64", State: "que\x00ued"}, "NUL"},
		{"a record that is not JSON", Job{ID: "x/amd64", State: "queued", Record: json.RawMessage("{")}, "x/amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			good := testJob("good/amd64", "queued")
			err := s.PutJobs(good, tt.job)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("PutJobs: %v, want an error saying %q", err, tt.want)
			}
			if _, found, err := s.Job(good.ID); found || err != nil {
				t.Errorf("the good job of a failed PutJobs was stored (%v)", err)
			}
			checkIndex(t, s)
		})
	}
}

func TestJobsConcurrently(t *testing.T) {
	s := openTest(t)
	states := []string{"queued", "running", "succeeded"}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				job := Job{ID: fmt.Sprintf("w%d/%d", w, i%5), State: states[i%len(states)]}
				if err := s.PutJobs(job); err != nil {
					t.Error(err)
				}
				if _, err := s.Jobs(JobFilter{State: job.State}); err != nil {
					t.Error(err)
				}
				if _, err := s.CountByState(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	checkIndex(t, s)
	all, err := s.Jobs(JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4*5 {
		t.Errorf("%d jobs, want %d", len(all), 4*5)
	}
}

func TestJobsOfAStateReadTheIndex(t *testing.T) {
	s := openTest(t)
	if err := s.PutJobs(Job{ID: "indexed", State: "queued"}); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error { // a job the index does not list
		return putJSON(tx, bucketJobs, []byte("unindexed"), Job{ID: "unindexed", State: "queued"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[JobFilter][]string{
		{State: "queued"}: {"indexed"},
		{}:                {"indexed", "unindexed"},
	} {
		got, err := s.Jobs(filter)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, ids(got)); d != "" {
			t.Errorf("Jobs(%+v) (-want +got):\n%s", filter, d)
		}
	}
}

func TestCountByStateArch(t *testing.T) {
	s := openTest(t)
	var jobs []Job
	for _, j := range []struct{ id, state string }{
		{"a/amd64", "queued"}, {"b/amd64", "queued"}, {"a/arm64v8", "queued"},
		{"c/amd64", "failed"}, {"c/s390x", "running"}, {"noarch", "running"},
	} {
		jobs = append(jobs, testJob(j.id, j.state))
	}
	if err := s.PutJobs(jobs...); err != nil {
		t.Fatal(err)
	}
	got, err := s.CountByStateArch()
	if err != nil {
		t.Fatal(err)
	}
	want := map[StateArch]int{{"queued", "amd64"}: 2, {"queued", "arm64v8"}: 1, {"failed", "amd64"}: 1, {"running", "s390x"}: 1, {"running", ""}: 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CountByStateArch() (-want +got):\n%s", d)
	}
}
