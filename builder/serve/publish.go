package serve

import (
	"context"
	"time"

	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// publish writes the index of every tag and shared tag whose images are
// all built (children first; one already there is not written again).
// A tag with an arch that did not build is blocked: held back, and the
// summary, which the API shows, says which image it lacks. Each index
// written is stored as a [store.Tag] of run runID.
func (d *Daemon) publish(ctx context.Context, st *state, runID uint64, report *scheduler.Report) error {
	opts := d.opts.Publish
	opts.AllowBlocked = true // a tag waits for its failed arch's next attempt
	summary, err := d.opts.Engine.Publish(ctx, report, opts)
	st.mu.Lock()
	st.published, st.publishErr = summary, err
	st.mu.Unlock()
	ev := Event{Kind: Published, Err: err}
	if summary != nil {
		d.recordTags(st.commit, runID, summary)
		ev.Indexes, ev.Retries = publishCounts(summary), summary.Retries
	}
	d.emit(ev)
	if err != nil {
		d.log.Error("publishing failed", "commit", st.commit, "err", err)
		return err
	}
	d.log.Info("published", "commit", st.commit, "written", summary.Count(publish.Written), "blocked", summary.Count(publish.Blocked))
	return nil
}

// recordTags stores a Tag for each index of sum that was written, and
// tells Options.Observe of each.
func (d *Daemon) recordTags(commit string, runID uint64, sum *publish.Summary) {
	at := sum.End
	if at.IsZero() {
		at = time.Now()
	}
	var tags []store.Tag
	for _, r := range sum.Results {
		if r.Action == publish.Written {
			tags = append(tags, newTag(r, commit, runID, at))
		}
	}
	if len(tags) == 0 {
		return
	}
	if err := d.opts.Store.PutTags(tags...); err != nil {
		d.log.Error("store: writing tags", "err", err)
	}
	for _, t := range tags {
		d.emit(Event{Kind: TagPublished, Time: at, Tag: t})
	}
}

// newTag is the publication of r, written at at.
func newTag(r publish.Result, commit string, runID uint64, at time.Time) store.Tag {
	t := store.Tag{Ref: r.Target.Ref, Repo: r.Target.Repo, Tag: r.Target.Tag, Arch: r.Target.Arch, Digest: r.Digest,
		Commit: commit, RunID: runID, Time: at, Action: r.Action.String()}
	for _, m := range r.Target.Members {
		if m.Job != nil {
			t.Jobs = append(t.Jobs, m.Job.ID)
		}
	}
	return t
}

// publishActions are the actions of a daemon's publish, which is never
// a dry run.
func publishActions() []publish.Action {
	return []publish.Action{publish.Written, publish.UpToDate, publish.Blocked, publish.Failed}
}

// publishCounts is how many indexes of sum ended with each action, by
// its name.
func publishCounts(sum *publish.Summary) map[string]int {
	c := make(map[string]int, 4)
	for _, a := range publishActions() {
		c[a.String()] = sum.Count(a)
	}
	return c
}
