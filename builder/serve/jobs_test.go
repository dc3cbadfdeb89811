package serve

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// TestJobs: before a plan the jobs come from the store, then from the
// daemon's memory, filtered as the store filters them, without records.
func TestJobs(t *testing.T) {
	d := newTestDaemon(t)
	putJob(t, d, store.Job{ID: "old/amd64", Repo: "foo", Tags: []string{"foo:1"}, Arch: "amd64", State: StateSucceeded, Record: []byte(`{"x":1}`)})
	ids := func(f store.JobFilter) []string {
		t.Helper()
		jobs, err := d.Jobs(f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, j := range jobs {
			if j.Record != nil {
				t.Errorf("%s has its record", j.ID)
			}
			out = append(out, j.ID+" "+j.State)
		}
		return out
	}
	if diff := cmp.Diff([]string{"old/amd64 succeeded"}, ids(store.JobFilter{})); diff != "" {
		t.Errorf("before a plan (-want +got):\n%s", diff)
	}

	p := &scheduler.Plan{Jobs: []*scheduler.Job{
		{ID: "b/arm64v8", Arch: "arm64v8", Tags: []string{"bar:1"}, Origins: []scheduler.Origin{{Repo: "bar"}, {Repo: "baz"}}},
		{ID: "a/amd64", Arch: "amd64", Tags: []string{"bar:1"}, Origins: []scheduler.Origin{{Repo: "bar"}}},
	}}
	d.mu.Lock()
	d.state = newState(p, "c1", 0, d.emit)
	d.mu.Unlock()
	d.state.update(p.Jobs[1], func(sj *store.Job) { sj.State, sj.Record = StateRunning, []byte(`{"x":2}`) })
	for _, tt := range []struct {
		f    store.JobFilter
		want []string
	}{
		{store.JobFilter{}, []string{"a/amd64 running", "b/arm64v8 queued"}},
		{store.JobFilter{State: StateRunning}, []string{"a/amd64 running"}},
		{store.JobFilter{Arch: "arm64v8"}, []string{"b/arm64v8 queued"}},
		{store.JobFilter{Repo: "baz"}, []string{"b/arm64v8 queued"}},
		{store.JobFilter{Repo: "foo"}, nil},
	} {
		if diff := cmp.Diff(tt.want, ids(tt.f)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.f, diff)
		}
	}
}
