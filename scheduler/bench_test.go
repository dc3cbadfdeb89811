package scheduler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// instant is an executor whose jobs take no time: what a run costs then is
// the scheduler's own work.
type instant struct{}

func (instant) Build(_ context.Context, _ workers.Worker, j *Job, _ []ParentResult) (Result, error) {
	return Result{Ref: j.ID, Digest: j.ID}, nil
}

// syntheticPlan is n jobs over four arches, each FROM a random earlier job
// of its arch with probability 0.7: a DAG about as deep as the real
// library's, linked the way NewPlan links it.
func syntheticPlan(n int, seed uint64) *Plan {
	rng := rand.New(rand.NewPCG(seed, 0))
	arches := []string{"amd64", "arm64v8", "ppc64le", "s390x"}
	jobs := make([]*Job, 0, n)
	for i := range n {
		arch := arches[i%len(arches)]
		j := &Job{ID: fmt.Sprintf("j%d", i), Arch: arch, Tags: []string{fmt.Sprintf("r%d:%d", i/len(arches), i)}}
		if i >= len(arches) && rng.Float64() < 0.7 {
			p := jobs[rng.IntN(i/len(arches))*len(arches)+i%len(arches)]
			j.Froms = []string{p.Tags[0]}
		}
		jobs = append(jobs, j)
	}
	link(jobs, "")
	return &Plan{Jobs: jobs}
}

// BenchmarkRun is the runner's cost per job (ns/op is per run of n jobs;
// see the ns/job metric) with four workers of four slots.
func BenchmarkRun(b *testing.B) {
	ws := []workers.Worker{
		{Name: "a", Arches: []string{"amd64"}, Concurrency: 4}, {Name: "b", Arches: []string{"arm64v8"}, Concurrency: 4},
		{Name: "c", Arches: []string{"ppc64le"}, Concurrency: 4}, {Name: "d", Arches: []string{"s390x"}, Concurrency: 4},
	}
	for _, n := range []int{1000, 8000} {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			p := syntheticPlan(n, 1)
			r := &Runner{Workers: ws, Exec: instant{}}
			for b.Loop() {
				if rep := r.Run(context.Background(), p); rep.Err() != nil {
					b.Fatal(rep.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/job")
		})
	}
}

// BenchmarkLink is linking the FROMs of n jobs into a graph.
func BenchmarkLink(b *testing.B) {
	p := syntheticPlan(8000, 1)
	for b.Loop() {
		for _, j := range p.Jobs {
			j.Parents, j.External, j.Children, j.rank, j.Err = nil, nil, nil, 0, nil
		}
		link(p.Jobs, "")
	}
}
