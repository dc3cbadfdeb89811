package scheduler_test

import (
	"context"
	"fmt"

	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// echo is an Executor that builds nothing: a job's result names it and
// its worker.
type echo struct{}

func (echo) Build(_ context.Context, w workers.Worker, j *scheduler.Job, _ []scheduler.ParentResult) (scheduler.Result, error) {
	return scheduler.Result{Ref: j.ID + "@" + w.Name}, nil
}

// plan is a plan of independent amd64 jobs.
func plan(ids ...string) *scheduler.Plan {
	p := &scheduler.Plan{}
	for _, id := range ids {
		p.Jobs = append(p.Jobs, &scheduler.Job{ID: id, Arch: "amd64", Tags: []string{id + ":latest"}})
	}
	return p
}

// Two runs share a pool's slots; once the pool is drained, runs end at
// once.
func ExamplePool() {
	ctx := context.Background()
	ws := []workers.Worker{{Name: "x86", Arches: []string{"amd64"}, Concurrency: 2}}
	pool := scheduler.NewPool(ws, scheduler.PoolOptions{})
	r := &scheduler.Runner{Pool: pool, Exec: echo{}}

	reports := make(chan *scheduler.Report)
	go func() { reports <- r.Run(ctx, plan("a", "b")) }()
	go func() { reports <- r.Run(ctx, plan("c")) }()
	built := (<-reports).Count(scheduler.Built) + (<-reports).Count(scheduler.Built)
	fmt.Println(built, "built")

	if err := pool.Drain(ctx); err != nil {
		fmt.Println(err)
	}
	late := r.Run(ctx, plan("d")).Outcomes[0]
	fmt.Println(late.Job.ID, late.Status, late.Err)
	for _, h := range pool.Health() {
		fmt.Println(h.Name, h.Up, h.InUse, "of", h.Slots)
	}
	// Output:
	// 3 built
	// d cancelled not run: the runner is draining
	// x86 true 0 of 2
}
