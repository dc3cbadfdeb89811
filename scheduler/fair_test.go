package scheduler

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// inRepos sets each job's origin to the repository its name starts with
// up to the first digit: "a12" is of "a", "base" of "base".
func inRepos(p *Plan) *Plan {
	for _, j := range p.Jobs {
		name, _, _ := strings.Cut(j.ID, "/")
		repo := strings.TrimRight(name, "0123456789")
		j.Origins = []Origin{{Repo: repo, Tag: "1"}}
	}
	return p
}

// starts returns the jobs' ids in the order the fake's Build was called,
// which, when several run at once, need not be the order they started in:
// see startOrder.
func (f *fakeExec) starts() []string {
	var ids []string
	for _, l := range f.snapshot() {
		if rest, ok := strings.CutPrefix(l, "start "); ok {
			id, _, _ := strings.Cut(rest, "@")
			ids = append(ids, id)
		}
	}
	return ids
}

// startOrder records the jobs' ids in the order the run started them,
// as its Observe.
type startOrder struct {
	mu  sync.Mutex
	ids []string
}

func (s *startOrder) observe(e Event) {
	if e.Kind == JobStarted {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ids = append(s.ids, e.Outcome.Job.ID)
	}
}

func (s *startOrder) get() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

// One repository's 500 ready jobs do not keep another's one waiting in a
// fair run: it starts second, not 501st.
func TestRunFairSharesSlotsBetweenRepositories(t *testing.T) {
	for _, tc := range []struct {
		fair bool
		want int // b0's position among the starts, from 1
	}{
		{fair: true, want: 2},
		{fair: false, want: 501},
	} {
		t.Run(map[bool]string{true: "fair", false: "rank"}[tc.fair], func(t *testing.T) {
			p := independent("a", "amd64", 500)
			p.Jobs = append(p.Jobs, jobsOf("b0 amd64").Jobs...)
			inRepos(p)
			f := newFakeExec()
			rep := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f, Fair: tc.fair}).Run(context.Background(), p)
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			starts := f.starts()
			if got := slices.Index(starts, "b0/amd64") + 1; got != tc.want {
				t.Errorf("b0 started %dth, want %dth (first starts: %v)", got, tc.want, starts[:3])
			}
		})
	}
}

// In a fair run, between repositories with as many jobs running, the one
// whose last start is older goes first; within a repository, the highest
// rank: b1 (rank 1) gets a turn after a's best, a2 (rank 3), then a's
// jobs go by rank (a3, rank 2), then plan order.
func TestRunFairTakesTurns(t *testing.T) {
	p := inRepos(jobsOf("a1 amd64", "a2 amd64", "a3 amd64 a2", "a4 amd64 a3", "b1 amd64"))
	f := newFakeExec()
	rep := (&Runner{Workers: []workers.Worker{worker("x86", 1, "amd64")}, Exec: f, Fair: true}).Run(context.Background(), p)
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if got, want := f.starts(), []string{"a2/amd64", "b1/amd64", "a3/amd64", "a1/amd64", "a4/amd64"}; !slices.Equal(got, want) {
		t.Errorf("started %v, want %v", got, want)
	}
}

// In a fair run the repository with the fewest jobs running goes first,
// even when it started a job more recently: a1 runs until a third job
// starts, and that is b2, not a2.
func TestRunFairFewestRunningFirst(t *testing.T) {
	p := inRepos(jobsOf("a1 amd64", "a2 amd64", "b1 amd64", "b2 amd64"))
	f := newFakeExec()
	third := make(chan struct{})
	var n int
	f.hook = func(_ context.Context, _ workers.Worker, j *Job) error {
		f.mu.Lock()
		if n++; n == 3 {
			close(third)
		}
		f.mu.Unlock()
		if j.ID == "a1/amd64" {
			<-third
		}
		return nil
	}
	var order startOrder
	rep := (&Runner{Workers: []workers.Worker{worker("x86", 2, "amd64")}, Exec: f, Fair: true, Observe: order.observe}).Run(context.Background(), p)
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if got := order.get(); got[2] != "b2/amd64" {
		t.Errorf("started %v; want b2 third (b had none running, a had a1)", got)
	}
}

// Runs that share a pool share its repositories' counts: a repository
// with a job running in one run waits, in another, for one with none.
func TestRunFairAcrossRuns(t *testing.T) {
	pool := newTestPool(t, []workers.Worker{worker("x86", 2, "amd64")}, PoolOptions{})
	f := newFakeExec()
	gate := make(chan struct{})
	f.hook = func(_ context.Context, _ workers.Worker, j *Job) error {
		if j.ID == "a1/amd64" {
			<-gate
		}
		return nil
	}
	r := &Runner{Pool: pool, Exec: f, Fair: true}
	first := make(chan *Report, 1)
	go func() { first <- r.Run(context.Background(), inRepos(jobsOf("a1 amd64"))) }()
	<-f.startedCh("a1/amd64")
	// b1 started last on the pool, and a2 has the higher rank: only a1,
	// running in the other run, puts a2 after b2.
	rep := r.Run(context.Background(), inRepos(jobsOf("b1 amd64")))
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	p := inRepos(jobsOf("a2 amd64", "a3 amd64 a2", "b2 amd64"))
	second := make(chan *Report, 1)
	go func() { second <- (&Runner{Pool: pool, Exec: f, Fair: true}).Run(context.Background(), p) }()
	<-f.startedCh("b2/amd64")
	close(gate)
	for _, ch := range []chan *Report{first, second} {
		if err := (<-ch).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := f.starts(), []string{"a1/amd64", "b1/amd64", "b2/amd64", "a2/amd64", "a3/amd64"}; !slices.Equal(got, want) {
		t.Errorf("started %v, want %v", got, want)
	}
}
