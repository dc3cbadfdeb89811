package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/serve/store"
)

// TestTagsAPI checks GET /api/v1/tags and /api/v1/tags/{ref...} over a
// store with tags of two repositories.
func TestTagsAPI(t *testing.T) {
	d := newTestDaemon(t)
	at := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	tag := func(repo, tg string, jobs ...string) store.Tag {
		return store.Tag{Ref: "127.0.0.1:5000/library/" + repo + ":" + tg, Repo: repo, Tag: tg, Digest: "sha256:" + repo + tg,
			Commit: "c0ffee", RunID: 3, Time: at, Jobs: jobs, Action: "written"}
	}
	tags := []store.Tag{tag("foo", "1", "aaa/amd64", "aaa/arm64v8"), tag("bar", "2", "bbb/amd64"), tag("bar", "latest")}
	if err := d.opts.Store.PutTags(tags...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	defer srv.Close()

	list := func(tags ...store.Tag) string {
		out := []Tag{}
		for _, t := range tags {
			out = append(out, apiTag(t))
		}
		return mustJSON(t, map[string]any{"tags": out})
	}
	tests := []struct {
		name, path string
		code       int
		want       string // the answer, as JSON
	}{
		{"all, sorted by ref", "/api/v1/tags", 200, list(tags[1], tags[2], tags[0])},
		{"of a repo", "/api/v1/tags?repo=bar", 200, list(tags[1], tags[2])},
		{"of a repo without tags", "/api/v1/tags?repo=baz", 200, list()},
		{"one", "/api/v1/tags/127.0.0.1:5000/library/foo:1", 200, mustJSON(t, apiTag(tags[0]))},
		{"one without jobs", "/api/v1/tags/127.0.0.1:5000/library/bar:latest", 200,
			`{"ref":"127.0.0.1:5000/library/bar:latest","repo":"bar","tag":"latest","digest":"sha256:barlatest","commit":"c0ffee","run_id":3,"time":"2026-03-14T15:09:26Z","jobs":[],"action":"written"}`},
		{"unknown", "/api/v1/tags/127.0.0.1:5000/library/foo:2", 404,
			`{"error":"127.0.0.1:5000/library/foo:2: no such tag: this daemon has not written its index"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("GET %s: %d %s; want %d, JSON", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.code)
			}
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("GET %s: %v in %s", tt.path, err, body)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("GET %s (-want +got):\n%s", tt.path, d)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
