package record

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler"
)

// TestReadV0 reads the --metadata-file of a brewkit from before records
// had a version. testdata/v0.json was written by that brewkit's own
// writeMetadataFile (commit 44bc538), from the report of cmd/brewkit's
// push test with a source, worker and times added: see
// testdata/v0-generator.go.txt. What version 0 lacks stays empty.
func TestReadV0(t *testing.T) {
	got, err := ReadFile("testdata/v0.json")
	if err != nil {
		t.Fatal(err)
	}
	entry := func(line int, tag string) []Entry {
		return []Entry{{File: "library/foo", Line: line, Repo: "foo", Tag: tag, Tags: []string{tag}, SharedTags: []string{"latest"}}}
	}
	job := func(arch, platform, tag string, line int) Job {
		return Job{ID: "src/" + arch, Entries: entry(line, tag), Tags: []string{"foo:" + tag, "foo:latest"}, Arch: arch, Platform: platform,
			Source: Source{GitRepo: "https://github.com/docker-library/foo.git", GitFetch: "refs/heads/main",
				GitCommit: "0123456789abcdef0123456789abcdef01234567", Directory: tag, File: "Dockerfile"},
			SourceID: strings.Repeat(tag, 64)}
	}
	built := func(j Job, digest string) Job {
		j.Status, j.Worker, j.Attempts, j.Seconds = "built", j.Arch, 1, 1.5
		j.Image, j.Digest, j.BuildID = "127.0.0.1:37989/stage/staging-"+j.Arch+"@"+digest, digest, "build-"+j.Arch
		return j
	}
	failed := job("s390x", "linux/s390x", "2", 8)
	failed.Status, failed.Worker, failed.Attempts, failed.Seconds, failed.Error = "failed", "s390x", 1, 1.5, "RUN failed"
	noWorker := job("ppc64le", "linux/ppc64le", "2", 8)
	noWorker.Status, noWorker.Error, noWorker.NoWorker = "skipped", "ppc64le: no worker builds this architecture natively", true
	want := Record{SchemaVersion: 0, Start: time.Unix(0, 0).UTC(), End: time.Unix(10, 0).UTC(), Seconds: 10, Jobs: []Job{
		built(job("amd64", "linux/amd64", "1", 3), "sha256:49d191b8f313c52962ad2c5f207ef2d471fe9fd3462cfcba9dfe217e4069580a"),
		built(job("arm64v8", "linux/arm64/v8", "1", 3), "sha256:ab6484079211793aef91fa9127ca3f5d6486d829ccf80959c5ca2ec23efd3a73"),
		failed, noWorker,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("v0 record (-want +got):\n%s", diff)
	}
	report, err := got.Report()
	if err != nil {
		t.Fatal(err)
	}
	if o := report.Outcomes[3]; !errors.Is(o.Err, scheduler.ErrNoWorker) || o.Err.Error() != noWorker.Error {
		t.Errorf("no-worker job's error %v: want %q, wrapping scheduler.ErrNoWorker", o.Err, noWorker.Error)
	}
	if o := report.Outcomes[0]; o.Status != scheduler.Built || o.Result.Ref != want.Jobs[0].Image || o.Job.Origins[0].SharedTags[0] != "latest" {
		t.Errorf("built job: %s %s %v", o.Status, o.Result.Ref, o.Job.Origins)
	}
}

// TestReadRefuses checks the records Read refuses, and that ReadFile's
// error names the file and says why.
func TestReadRefuses(t *testing.T) {
	const job = `{"id":"x/amd64","arch":"amd64","entries":[{"file":"library/x","line":1,"repo":"x","tag":"1"}],"status":"built"`
	for _, tt := range []struct {
		name, content string
		want          []string // in the error, besides the file name
	}{
		{"future version", `{"schemaVersion":2,"jobs":[{"froms":"not a list"}]}`,
			[]string{"build record schema version 2", "this brewkit reads versions 0 to 1"}},
		{"negative version", `{"schemaVersion":-1,"jobs":[]}`, []string{"schema version -1", "reads versions 0 to 1"}},
		{"version not a number", `{"schemaVersion":"v1","jobs":[]}`, []string{"not a build record", "schemaVersion"}},
		{"not JSON", `jobs: []`, []string{"not a build record"}},
		{"no jobs", `{"schemaVersion":1}`, []string{`not a build record: no "jobs"`}},
		{"job without entries", `{"jobs":[{"id":"x/amd64","arch":"amd64","status":"built","image":"r/s@sha256:00"}]}`,
			[]string{"job 0 (x/amd64 amd64): has no entries: written by an older brewkit build; build again to write them"}},
		{"unknown status", `{"jobs":[` + strings.Replace(job, `"built"`, `"done"`, 1) + `}]}`, []string{`job 0 (x/amd64 amd64): unknown status "done"`}},
		{"a field of the wrong type", `{"schemaVersion":1,"jobs":[` + job + `,"attempts":"2"}]}`, []string{"build record version 1", "attempts"}},
		{"FROM built by no job", `{"schemaVersion":1,"jobs":[` + job + `,"froms":[{"from":"y:1","job":"y/amd64"}]}]}`,
			[]string{"job 0 (x/amd64 amd64): FROM y:1: built by job y/amd64, which the record does not have"}},
		{"two jobs with one id", `{"schemaVersion":1,"jobs":[` + job + `},` + job + `}]}`, []string{"job 1 (x/amd64 amd64): another job has its id"}},
		{"commit time and epoch disagree", `{"schemaVersion":1,"jobs":[` + job + `,"commitTime":"2026-01-01T00:00:00Z","sourceDateEpoch":1}]}`,
			[]string{"sourceDateEpoch 1 is not commitTime 2026-01-01T00:00:00Z"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "build.json")
			if err := os.WriteFile(file, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(file)
			if err == nil {
				t.Fatalf("ReadFile(%s) read it", tt.content)
			}
			for _, w := range append([]string{file + ": "}, tt.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestReadNewerFields: a record of this version from a newer brewkit,
// with fields this one does not know, is read (added fields keep the
// version).
func TestReadNewerFields(t *testing.T) {
	in := `{"schemaVersion":1,"futureField":{"a":1},"jobs":[{"id":"x/amd64","arch":"amd64","status":"built","futureField":true,` +
		`"entries":[{"file":"library/x","line":1,"repo":"x","tag":"1","futureField":"?"}],"froms":[{"from":"scratch","futureField":1}]}]}`
	got, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Record{SchemaVersion: 1, Jobs: []Job{{ID: "x/amd64", Arch: "amd64", Status: "built",
		Entries: []Entry{{File: "library/x", Line: 1, Repo: "x", Tag: "1"}}, Froms: []From{{From: "scratch"}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
}

// TestReadV1 reads a record brewkit wrote on the farm (see
// testdata/v1-generator.go.txt): written again, it is the same bytes, so
// every field was read; its inputs give each job's build id again; and
// its report links each FROM to the job that built it.
func TestReadV1(t *testing.T) {
	const file = "testdata/v1.json"
	rec, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := rec.Write(&again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), again.String()); diff != "" {
		t.Errorf("%s written again (-read +written):\n%s", file, diff)
	}
	report, err := rec.Report()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i, o := range report.Outcomes {
		j := rec.Jobs[i]
		if o.Result.BuildID != "" {
			if id := scheduler.BuildID(o.Job.SourceID, o.Job.Arch, o.Result.Parents); id != o.Result.BuildID {
				t.Errorf("%s: build id %s, but its source id, arch and FROMs give %s", j.Tags[0], o.Result.BuildID, id)
			}
		}
		var edges []string
		for _, e := range o.Job.Parents {
			edges = append(edges, e.From+"<-"+e.Job.Tags[0]+"@"+outcomeOf(report, e.Job).Result.Digest[:13])
		}
		got[j.Tags[0]] = fmt.Sprintf("%s %s %s froms=%d external=%v parents=%v buildkit=%s epoch=%d",
			o.Status, o.Job.Builder, o.Worker, len(o.Job.Froms), o.Job.External, edges, o.Result.BuildKit, *j.SourceDateEpoch)
	}
	wantJobs := map[string]string{
		"base:latest": "built buildkit amd64 froms=1 external=[] parents=[] buildkit=v0.34.2 epoch=1704067200",
		"ext:1":       "built buildkit amd64 froms=1 external=[127.0.0.1:5000/e2e-f99462abb9d2/ext:1] parents=[] buildkit=v0.34.2 epoch=1704067200",
		"failing:1":   "failed buildkit amd64 froms=1 external=[] parents=[base:latest<-base:latest@sha256:75247c] buildkit= epoch=1704067200",
		"imported:1":  "built oci-import amd64 froms=1 external=[] parents=[] buildkit= epoch=1704067200",
		"mid:1":       "built buildkit amd64 froms=1 external=[] parents=[base:latest<-base:latest@sha256:75247c] buildkit=v0.34.2 epoch=1704067200",
	}
	if diff := cmp.Diff(wantJobs, got); diff != "" {
		t.Errorf("%s jobs (-want +got):\n%s", file, diff)
	}
}

func outcomeOf(r *scheduler.Report, j *scheduler.Job) *scheduler.Outcome {
	for _, o := range r.Outcomes {
		if o.Job == j {
			return o
		}
	}
	return nil
}
