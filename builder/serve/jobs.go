package serve

import (
	"cmp"
	"slices"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// Jobs are the jobs of the current plan that f selects, as the API
// gives them (GET /api/v1/jobs), by id, without their build records.
//
// Once the daemon has planned a commit they come from its memory, which
// is ahead of the store by at most its quarter-second batches and costs
// no decoding (a page that polls the jobs of the whole library asks for
// 8,000 of them every few seconds); before that, from the store.
func (d *Daemon) Jobs(f store.JobFilter) ([]Job, error) {
	d.mu.Lock()
	st := d.state
	d.mu.Unlock()
	if jobs, ok := st.snapshot(f); ok {
		return jobs, nil
	}
	jobs, err := d.opts.Store.Jobs(f)
	if err != nil {
		return nil, err
	}
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, recordless(j))
	}
	return out, nil
}

// snapshot is the jobs of st's plan that f selects, by id; false if st
// has no plan yet.
func (st *state) snapshot(f store.JobFilter) ([]Job, bool) {
	if st.plan == nil {
		return nil, false
	}
	st.mu.Lock()
	out := make([]Job, 0, len(st.jobs))
	for _, sj := range st.jobs {
		if (f.State == "" || sj.State == f.State) && (f.Arch == "" || sj.Arch == f.Arch) &&
			(f.Repo == "" || sj.Repo == f.Repo || slices.Contains(sj.Repos, f.Repo)) {
			out = append(out, recordless(*sj))
		}
	}
	st.mu.Unlock()
	slices.SortFunc(out, func(a, b Job) int { return cmp.Compare(a.ID, b.ID) })
	return out, true
}

// recordless is j as the API gives it, without its build record.
func recordless(j store.Job) Job {
	j.Record = nil
	return apiJob(j)
}
