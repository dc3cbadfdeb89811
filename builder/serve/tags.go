package serve

import (
	"errors"
	"net/http"
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// errNoTag is the error of a request for a tag the daemon never wrote.
var errNoTag = errors.New("no such tag: this daemon has not written its index")

// Tag is a tag's last publication in the API: the index the daemon last
// wrote for it, when, and why (the commit planned and the jobs whose
// images it holds).
type Tag struct {
	Ref    string    `json:"ref"`
	Repo   string    `json:"repo"`
	Tag    string    `json:"tag"`
	Arch   string    `json:"arch,omitempty"` // of a tag of an arch namespace
	Digest string    `json:"digest"`
	Commit string    `json:"commit,omitempty"`
	RunID  uint64    `json:"run_id,omitempty"`
	Time   time.Time `json:"time"`
	Jobs   []string  `json:"jobs"`
	Action string    `json:"action"`
}

func apiTag(t store.Tag) Tag {
	jobs := t.Jobs
	if jobs == nil {
		jobs = []string{}
	}
	return Tag{Ref: t.Ref, Repo: t.Repo, Tag: t.Tag, Arch: t.Arch, Digest: t.Digest, Commit: t.Commit,
		RunID: t.RunID, Time: t.Time.UTC(), Jobs: jobs, Action: t.Action}
}

// getTags serves GET /api/v1/tags: every tag published, sorted by ref;
// ?repo=R keeps those of repository R.
func (d *Daemon) getTags(w http.ResponseWriter, r *http.Request) {
	tags, err := d.opts.Store.Tags()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	repo := r.URL.Query().Get("repo")
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		if repo == "" || t.Repo == repo {
			out = append(out, apiTag(t))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tags": out})
}

// getTag serves GET /api/v1/tags/{ref...}.
func (d *Daemon) getTag(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	t, ok, err := d.opts.Store.Tag(ref)
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	case !ok:
		writeError(w, http.StatusNotFound, errors.New(ref+": "+errNoTag.Error()))
	default:
		writeJSON(w, http.StatusOK, apiTag(t))
	}
}
