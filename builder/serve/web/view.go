package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
)

// maxRows is the most jobs, and tags, the page lists.
const maxRows = 500

// view is what the page shows.
type view struct {
	Authorized bool // false: the page shows a token field, and nothing of the daemon
	Now        time.Time
	Status     serve.Status
	Filter     filter
	Repos      []string // every repository of the plan, for the filter
	Arches     []string
	States     []stateCount
	Workers    []workerView
	Jobs       []serve.Job // those the filter selects, at most maxRows
	Matching   int         // how many the filter selects
	Total      int
	Selected   *serve.Job        // the job shown, if any
	labels     map[string]string // job id -> "tags (arch)"
	Tags       []tagRecord
	TagsShown  bool          // the daemon has GET /api/v1/tags
	Timeline   *timelineView // of the last run, once one has ended
}

// filter is the page's query: which jobs to list, which job to show.
type filter struct {
	Repo, Arch, State, Job string
}

// query is f as a query string, "" when empty.
func (f filter) query(job string) string {
	q := url.Values{}
	for k, v := range map[string]string{"repo": f.Repo, "arch": f.Arch, "state": f.State, "job": job} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "?"
	}
	return "?" + q.Encode()
}

// JobURL is the page's URL showing job id, with f's filter.
func (f filter) JobURL(id string) string { return f.query(id) }

// StateURL is the page's URL listing the jobs in state.
func (f filter) StateURL(state string) string {
	f.State = state
	return f.query(f.Job)
}

type stateCount struct {
	Name  string
	Count int
}

type workerView struct {
	serve.Worker
	Running []serve.Job
}

// tagRecord is a tag's last publication, as GET /api/v1/tags gives it.
type tagRecord struct {
	Ref    string    `json:"ref"`
	Digest string    `json:"digest"`
	Commit string    `json:"commit"`
	Time   time.Time `json:"time"`
	Jobs   []string  `json:"jobs"`
	Action string    `json:"action"`
	Reason string    `json:"reason"`
}

// view reads what the page shows for r.
func (h *handler) view(r *http.Request) (*view, error) {
	q := r.URL.Query()
	v := &view{Now: time.Now().UTC(),
		Filter: filter{Repo: q.Get("repo"), Arch: q.Get("arch"), State: q.Get("state"), Job: q.Get("job")}}
	if !slices.Contains(serve.States(), v.Filter.State) {
		v.Filter.State = ""
	}
	if v.Authorized = h.canRead(r); !v.Authorized {
		return v, nil
	}
	var err error
	if v.Status, err = h.d.Status(); err != nil {
		return nil, err
	}
	all, err := h.d.Jobs(store.JobFilter{})
	if err != nil {
		return nil, err
	}
	v.Total = len(all)
	sortJobs(all)
	v.list(all)
	v.Workers = workers(v.Status.Workers, all)
	v.Tags, v.TagsShown = h.tags(r)
	v.Timeline = h.tl.view(h.d.Timeline())
	return v, nil
}

// JobLabel names job id for a reader: its tags and arch, or its id cut
// short if it is not in the plan.
func (v *view) JobLabel(id string) string {
	if l, ok := v.labels[id]; ok {
		return l
	}
	return short(id)
}

// list fills in the filter's choices, the counts by state and the jobs
// the filter selects.
func (v *view) list(all []serve.Job) {
	counts := map[string]int{}
	repos, arches := map[string]bool{}, map[string]bool{}
	f := v.Filter
	v.labels = make(map[string]string, len(all))
	for i, j := range all {
		v.labels[j.ID] = strings.Join(j.Tags, " ") + " (" + j.Arch + ")"
		repos[j.Repo], arches[j.Arch] = true, true
		if j.ID == f.Job {
			v.Selected = &all[i]
		}
		if (f.Repo == "" || j.Repo == f.Repo) && (f.Arch == "" || j.Arch == f.Arch) {
			counts[j.State]++
			if f.State == "" || j.State == f.State {
				v.Matching++
				if len(v.Jobs) < maxRows {
					v.Jobs = append(v.Jobs, j)
				}
			}
		}
	}
	for _, s := range serve.States() {
		v.States = append(v.States, stateCount{s, counts[s]})
	}
	v.Repos, v.Arches = sortedKeys(repos), sortedKeys(arches)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// stateRank orders the jobs by how much they need a look.
var stateRank = map[string]int{serve.StateRunning: 0, serve.StateFailed: 1, serve.StateBackoff: 2, serve.StateQueued: 3,
	serve.StateWaiting: 4, serve.StateCancelled: 5, serve.StateSkipped: 6, serve.StateSucceeded: 7}

func sortJobs(jobs []serve.Job) {
	slices.SortStableFunc(jobs, func(a, b serve.Job) int {
		return cmp.Or(cmp.Compare(stateRank[a.State], stateRank[b.State]), cmp.Compare(a.Repo, b.Repo),
			cmp.Compare(strings.Join(a.Tags, " "), strings.Join(b.Tags, " ")), cmp.Compare(a.Arch, b.Arch), cmp.Compare(a.ID, b.ID))
	})
}

// workers are the workers, each with its running jobs.
func workers(ws []serve.Worker, jobs []serve.Job) []workerView {
	out := make([]workerView, 0, len(ws))
	for _, w := range ws {
		wv := workerView{Worker: w}
		for _, j := range jobs {
			if j.State == serve.StateRunning && j.Worker == w.Name {
				wv.Running = append(wv.Running, j)
			}
		}
		out = append(out, wv)
	}
	return out
}

// tags reads the tags' publications from the daemon's API, newest
// first; a daemon without GET /api/v1/tags has none to show.
func (h *handler) tags(r *http.Request) ([]tagRecord, bool) {
	req := httptest.NewRequestWithContext(r.Context(), http.MethodGet, "/api/v1/tags", nil)
	rec := httptest.NewRecorder()
	h.api.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, false
	}
	tags, err := decodeTags(rec.Body.Bytes())
	if err != nil {
		h.log.Warn("web: reading GET /api/v1/tags", "err", err)
		return nil, false
	}
	slices.SortStableFunc(tags, func(a, b tagRecord) int { return cmp.Or(b.Time.Compare(a.Time), cmp.Compare(a.Ref, b.Ref)) })
	return tags[:min(len(tags), maxRows)], true
}

// decodeTags reads a list of tags, or an object with one ("tags").
func decodeTags(data []byte) ([]tagRecord, error) {
	var tags []tagRecord
	if err := json.Unmarshal(data, &tags); err == nil {
		return tags, nil
	}
	var obj struct {
		Tags []tagRecord `json:"tags"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, err
	}
	return obj.Tags, nil
}

// funcs are the templates' functions.
func (h *handler) funcs() template.FuncMap {
	return template.FuncMap{
		"short": short,
		"clock": clock,
		"took":  took,
		"until": until,
		"join":  strings.Join,
		"retrying": func(state string) bool {
			return state == serve.StateFailed || state == serve.StateBackoff || state == serve.StateCancelled
		},
		"asset":      h.asset,
		"ptr":        func(t time.Time) *time.Time { return &t },
		"dur":        human,
		"phaseclass": classOf,
	}
}

// short is a digest, build id or commit cut to 12 digits after its
// algorithm.
func short(s string) string {
	alg, hex, ok := strings.Cut(s, ":")
	if !ok {
		alg, hex = "", s
	} else {
		alg += ":"
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return alg + hex
}

// clock is t in UTC, without its date if it is today's.
func clock(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	u := t.UTC()
	if u.Format(time.DateOnly) == now.Format(time.DateOnly) {
		return u.Format("15:04:05Z")
	}
	return u.Format("2006-01-02 15:04Z")
}

// took is how long a job ran, or has been running.
func took(start, end *time.Time, now time.Time) string {
	if start == nil {
		return ""
	}
	stop := now
	if end != nil && !end.Before(*start) {
		stop = *end
	}
	return human(stop.Sub(*start))
}

// until is how long until t: "in 59m".
func until(t *time.Time, now time.Time) string {
	if t == nil {
		return ""
	}
	if d := t.Sub(now); d > 0 {
		return "in " + human(d)
	}
	return "now"
}

// human is d rounded to what a reader needs: 4.2s, 3m12s, 2h05m, 3d4h.
func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
