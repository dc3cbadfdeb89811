package serve

import "github.com/brewkit/brewkit/builder/serve/store"

// Jobs are the jobs of the current plan that f selects, as the API
// gives them (GET /api/v1/jobs), in the store's order, without their
// build records.
func (d *Daemon) Jobs(f store.JobFilter) ([]Job, error) {
	jobs, err := d.opts.Store.Jobs(f)
	if err != nil {
		return nil, err
	}
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		aj := apiJob(j)
		aj.Record = nil
		out = append(out, aj)
	}
	return out, nil
}
