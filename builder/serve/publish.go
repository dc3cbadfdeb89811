package serve

import (
	"context"

	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/scheduler"
)

// publish writes the index of every tag and shared tag whose images are
// all built (children first; one already there is not written again).
// A tag with an arch that did not build is blocked: held back, and the
// summary, which the API shows, says which image it lacks.
func (d *Daemon) publish(ctx context.Context, st *state, report *scheduler.Report) error {
	opts := d.opts.Publish
	opts.AllowBlocked = true // a tag waits for its failed arch's next attempt
	summary, err := d.opts.Engine.Publish(ctx, report, opts)
	st.mu.Lock()
	st.published, st.publishErr = summary, err
	st.mu.Unlock()
	if err != nil {
		d.log.Error("publishing failed", "commit", st.commit, "err", err)
		return err
	}
	d.log.Info("published", "commit", st.commit, "written", summary.Count(publish.Written), "blocked", summary.Count(publish.Blocked))
	return nil
}
