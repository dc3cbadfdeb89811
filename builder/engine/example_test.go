package engine_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Example is the package doc's use, compiled: plan, build and publish the
// busybox library file on a farm. (It needs the farm, so it is not run.)
func Example() {
	ctx := context.Background()
	ws, err := workers.Load(".farm/workers.yaml")
	if err != nil {
		panic(err)
	}
	target, err := engine.Farm(ws, "127.0.0.1:5000", "")
	if err != nil {
		panic(err)
	}
	cache, err := gitsource.Open("/var/cache/brewkit/git")
	if err != nil {
		panic(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: cache, Logger: slog.Default()})
	if err != nil {
		panic(err)
	}
	defer e.Close()

	repo, err := (&manifest.Loader{Library: "library"}).Load(ctx, "busybox")
	if err != nil {
		panic(err)
	}
	plan, err := e.Plan(ctx, []*manifest.Repo{repo}, engine.PlanOptions{})
	if err != nil {
		panic(err)
	}
	b, err := e.Build(ctx, plan, engine.BuildOptions{})
	if err != nil {
		panic(err)
	}
	summary, err := e.Publish(ctx, b.Report, engine.PublishOptions{To: "127.0.0.1:5000/library"})
	fmt.Println(b.Report.Err(), summary.Count(publish.Written), err)
}
