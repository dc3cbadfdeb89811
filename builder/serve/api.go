package serve

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// Handler is the daemon's HTTP API:
//
//	GET  /healthz
//	GET  /api/v1/status                       commit, counts by state, workers
//	GET  /api/v1/jobs?state=S&repo=R&arch=A   jobs, filtered
//	GET  /api/v1/jobs/{source}/{arch}         one job (a job id is SOURCEID/ARCH)
//	GET  /api/v1/jobs/{source}/{arch}/log     its latest log, plain text; with
//	                                          "Accept: text/event-stream" or ?follow=1,
//	                                          streamed while the job runs (see streamLog)
//	GET  /api/v1/tags?repo=R                  the tags published, by ref
//	GET  /api/v1/tags/{ref...}                one, by its ref (REGISTRY/NAMESPACE/REPO:TAG)
//	GET  /api/v1/runs/last/timeline           where the last run's time went: critical path, phases
//	GET  /api/v1/runs/last/trace              the same as Chrome trace-event JSON (Perfetto)
//	POST /api/v1/sync                         poll the source now
//	POST /api/v1/jobs/{source}/{arch}/retry   build a failed job again now
//	POST /api/v1/jobs/{source}/{arch}/cancel  cancel a running job
//
// docs/API.md has the answers and errors. An unknown state or arch in
// the jobs' filter gets 400 with the known ones. The POSTs take no body:
// one is ignored, and one over [MaxBody] gets 413. The handler asks for
// no token: put it behind an auth.Guard (package builder/serve/auth),
// and serve it with [NewHTTPServer].
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /api/v1/status", d.getStatus)
	mux.HandleFunc("GET /api/v1/jobs", d.getJobs)
	mux.HandleFunc("GET /api/v1/jobs/{source}/{arch}", d.getJob)
	mux.HandleFunc("GET /api/v1/jobs/{source}/{arch}/log", d.getLog)
	mux.HandleFunc("GET /api/v1/tags", d.getTags)
	mux.HandleFunc("GET /api/v1/tags/{ref...}", d.getTag)
	mux.HandleFunc("GET /api/v1/runs/last/trace", d.getTrace)
	mux.HandleFunc("GET /api/v1/runs/last/timeline", d.getTimeline)
	mux.HandleFunc("POST /api/v1/sync", d.postSync)
	mux.HandleFunc("POST /api/v1/jobs/{source}/{arch}/retry", d.mutate(d.Retry))
	mux.HandleFunc("POST /api/v1/jobs/{source}/{arch}/cancel", d.mutate(d.Cancel))
	return mux
}

// Status is the answer of GET /api/v1/status.
type Status struct {
	Commit    string         `json:"commit"`
	SyncedAt  *time.Time     `json:"synced_at,omitempty"`
	SyncError string         `json:"sync_error,omitempty"`
	Running   bool           `json:"running"`
	Jobs      map[string]int `json:"jobs"` // by state
	Workers   []Worker       `json:"workers"`
	Published map[string]int `json:"published,omitempty"` // the last run's indexes, by action
	// HeldBack are the tags the last run did not publish: an image is
	// missing (its job failed or is in backoff), or it failed.
	HeldBack []HeldTag `json:"held_back,omitempty"`
}

// Worker is a worker in Status.
type Worker struct {
	Name   string   `json:"name"`
	Arches []string `json:"arches"`
	Up     bool     `json:"up"`
	// Unusable reports that it is out of service, not merely down: its
	// configuration is wrong (a TLS certificate, say; Error says what),
	// so it is not probed again and takes no job until the daemon
	// restarts with a fixed workers file. Up is false.
	Unusable bool      `json:"unusable,omitempty"`
	Slots    int       `json:"slots"`
	InUse    int       `json:"in_use"`
	Since    time.Time `json:"since"`
	Error    string    `json:"error,omitempty"`
}

// Job is a job in the API.
type Job struct {
	ID          string     `json:"id"`
	Repo        string     `json:"repo"`
	Tags        []string   `json:"tags"`
	Arch        string     `json:"arch"`
	BuildID     string     `json:"build_id,omitempty"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	Failures    int        `json:"failures,omitempty"` // its build's failed attempts in a row
	Worker      string     `json:"worker,omitempty"`
	Digest      string     `json:"digest,omitempty"`
	Image       string     `json:"image,omitempty"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
	Start       *time.Time `json:"start,omitempty"`
	End         *time.Time `json:"end,omitempty"`
	Error       string     `json:"error,omitempty"`
	Commit      string     `json:"commit,omitempty"`
	// Record is the job's build record (docs/BUILD-RECORD.md), once it
	// has run.
	Record json.RawMessage `json:"record,omitempty"`
}

func apiJob(j store.Job) Job {
	return Job{ID: j.ID, Repo: j.Repo, Tags: j.Tags, Arch: j.Arch, BuildID: j.BuildID, State: j.State,
		Attempts: j.Attempts, Failures: j.Failures, Worker: j.Worker, Digest: j.Digest, Image: j.Image, NextAttempt: timePtr(j.NextAttempt),
		Start: timePtr(j.Start), End: timePtr(j.End), Error: j.Error, Commit: j.Commit, Record: j.Record}
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (d *Daemon) getStatus(w http.ResponseWriter, _ *http.Request) {
	s, err := d.Status()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (d *Daemon) getJobs(w http.ResponseWriter, r *http.Request) {
	f, err := jobFilter(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	jobs, err := d.opts.Store.Jobs(f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, apiJob(j))
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

func (d *Daemon) getJob(w http.ResponseWriter, r *http.Request) {
	if j, ok := d.lookupJob(w, r); ok {
		writeJSON(w, http.StatusOK, apiJob(j))
	}
}

func (d *Daemon) getLog(w http.ResponseWriter, r *http.Request) {
	j, ok := d.lookupJob(w, r)
	if !ok {
		return
	}
	if wantsStream(r) {
		d.streamLog(w, r, j)
		return
	}
	if j.Log == "" {
		writeError(w, http.StatusNotFound, errors.New(j.ID+" has no log yet"))
		return
	}
	f, err := os.Open(j.Log)
	if err != nil {
		writeError(w, http.StatusNotFound, errors.New(j.ID+": its log is gone (logs are kept for a while)"))
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// lookupJob is the job the path names, or writes 404.
func (d *Daemon) lookupJob(w http.ResponseWriter, r *http.Request) (store.Job, bool) {
	id := r.PathValue("source") + "/" + r.PathValue("arch")
	j, ok, err := d.opts.Store.Job(id)
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	case !ok:
		writeError(w, http.StatusNotFound, errors.New(id+": "+ErrNoJob.Error()))
	}
	return j, err == nil && ok
}

func (d *Daemon) postSync(w http.ResponseWriter, r *http.Request) {
	if !discardBody(w, r) {
		return
	}
	d.Sync()
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sync requested"})
}

// mutate serves a POST that acts on the job the path names.
func (d *Daemon) mutate(act func(id string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !discardBody(w, r) {
			return
		}
		id := r.PathValue("source") + "/" + r.PathValue("arch")
		err := act(id)
		switch {
		case errors.Is(err, ErrNoJob):
			writeError(w, http.StatusNotFound, err)
		case errors.Is(err, ErrJobState):
			writeError(w, http.StatusConflict, err)
		case err != nil:
			writeError(w, http.StatusInternalServerError, err)
		default:
			writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted", "job": id})
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
