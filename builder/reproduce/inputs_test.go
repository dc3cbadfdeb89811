package reproduce

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

const digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func testEntry(t *testing.T) *manifest.Entry {
	t.Helper()
	m, err := manifest.ParseString("library/app", "Maintainers: x <x@example.com> (@x)\nGitRepo: https://github.com/o/app.git\n\n"+
		"Tags: 1, latest\nArchitectures: amd64, arm64v8\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: app\nFile: Dockerfile.app\narm64v8-File: Dockerfile.arm\n")
	if err != nil {
		t.Fatal(err)
	}
	return &m.Entries[0]
}

func goodAnnotations() map[string]string {
	return map[string]string{
		annSource:     "https://github.com/o/app.git#abcdef:app",
		annRevision:   "abcdef",
		annCreated:    "2026-01-02T03:04:05Z",
		annArch:       "amd64",
		annVersion:    "1",
		annBaseName:   "debian:bookworm",
		annBaseDigest: digestA,
	}
}

func TestFromAnnotations(t *testing.T) {
	resolve := pinner(mustRepo(t, "registry.example/library/app"))
	for _, tc := range []struct {
		name   string
		change func(map[string]string)
		arch   string
		err    string // "" means none
	}{
		{"ok", func(map[string]string) {}, "amd64", ""},
		{"no source", func(a map[string]string) { delete(a, annSource) }, "amd64", "no org.opencontainers.image.source annotation"},
		{"source without a commit", func(a map[string]string) { a[annSource] = "https://github.com/o/app.git" }, "amd64", "of the form REPO#COMMIT:DIR"},
		{"revision contradicts", func(a map[string]string) { a[annRevision] = "ffffff" }, "amd64", "revision is ffffff, but"},
		{"arch contradicts", func(a map[string]string) { a[annArch] = "s390x" }, "amd64", "bashbrew.arch is s390x, but the index lists this image as amd64"},
		{"bad created", func(a map[string]string) { a[annCreated] = "yesterday" }, "amd64", "not an RFC 3339 time"},
		{"other repository", func(a map[string]string) { a[annSource] = "https://github.com/evil/app.git#abcdef:app" }, "amd64", "names repository https://github.com/evil/app.git, but the library entry"},
		{"arch not in the entry", func(a map[string]string) { a[annArch] = "ppc64le" }, "ppc64le", "does not build ppc64le"},
		{"base without a digest", func(a map[string]string) { delete(a, annBaseDigest) }, "amd64", "there is no org.opencontainers.image.base.digest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ann := goodAnnotations()
			tc.change(ann)
			in, err := fromAnnotations(ann, testEntry(t), "library/app:4", tc.arch, "linux/"+tc.arch, resolve)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				if _, ok := err.(*InputError); !ok {
					t.Errorf("error %T, want *InputError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Inputs{Arch: "amd64", GitCommit: "abcdef", Directory: "app", File: "Dockerfile.app", Tag: "1",
				CommitTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
			if in.GitCommit != want.GitCommit || in.Directory != want.Directory || in.File != want.File || in.Tag != want.Tag || !in.CommitTime.Equal(want.CommitTime) {
				t.Errorf("inputs %+v, want %+v", in, want)
			}
			if len(in.Froms) != 1 || in.Froms[0].Image != "registry.example/library/debian@"+digestA {
				t.Errorf("froms %+v, want debian:bookworm pinned beside the repository", in.Froms)
			}
			for _, o := range in.Origins {
				if o.From == "" || o.Value == "" {
					t.Errorf("origin %+v without a value or a source", o)
				}
			}
		})
	}
}

func TestFromRecord(t *testing.T) {
	resolve := pinner(mustRepo(t, "registry.example/library/app"))
	epoch := int64(1700000000)
	job := func(id, arch, digest string) record.Job {
		return record.Job{ID: id, Arch: arch, Digest: digest, Entries: []record.Entry{{Repo: "app", Tag: "1"}},
			Source:     record.Source{GitRepo: "https://github.com/o/app.git", GitCommit: "abc", Directory: "app", File: "Dockerfile"},
			CommitTime: time.Unix(epoch, 0), SourceDateEpoch: &epoch, BuildID: "b-" + id,
			Froms: []record.From{{From: "base:1", Digest: digestA, Job: "base/" + arch}}}
	}
	rec := record.Record{SchemaVersion: 1, Jobs: []record.Job{
		{ID: "base/amd64", Arch: "amd64", Digest: digestA, Image: "registry.example/staging-amd64@" + digestA},
		job("app/amd64", "amd64", "sha256:11"),
		job("app/arm64v8", "arm64v8", "sha256:22"),
	}}
	in, err := fromRecord(rec, "build.json", "amd64", "linux/amd64", "sha256:11", resolve)
	if err != nil {
		t.Fatal(err)
	}
	if in.BuildID != "b-app/amd64" || in.Tag != "1" || len(in.Froms) != 1 || in.Froms[0].Image != "registry.example/staging-amd64@"+digestA {
		t.Errorf("inputs %+v: want the amd64 job's, base pinned to its staged image", in)
	}
	// arm64v8's base job is not in the record: pinned beside the repository.
	if in, err = fromRecord(rec, "build.json", "arm64v8", "linux/arm64/v8", "sha256:22", resolve); err != nil || in.Froms[0].Image != "registry.example/library/base@"+digestA {
		t.Errorf("arm64v8: %+v, %v", in, err)
	}
	for _, tc := range []struct {
		name, arch, digest, err string
		change                  func(*record.Record)
	}{
		{"no such job", "amd64", "sha256:99", "has no job that built sha256:99", func(*record.Record) {}},
		{"version 0", "amd64", "sha256:11", "schema version 0", func(r *record.Record) { r.Jobs[1].CommitTime = time.Time{} }},
		{"a FROM without a digest", "amd64", "sha256:11", "no digest for FROM base:1", func(r *record.Record) { r.Jobs[1].Froms[0].Digest = "" }},
	} {
		r := rec
		r.Jobs = append([]record.Job(nil), rec.Jobs...)
		r.Jobs[1].Froms = append([]record.From(nil), rec.Jobs[1].Froms...)
		tc.change(&r)
		if _, err := fromRecord(r, "build.json", tc.arch, "linux/"+tc.arch, tc.digest, resolve); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.err)
		}
	}
}

func TestPinner(t *testing.T) {
	pin := pinner(mustRepo(t, "127.0.0.1:5000/ns/library/app"))
	for from, want := range map[string]string{
		"debian:bookworm":                "127.0.0.1:5000/ns/library/debian@" + digestA,
		"base":                           "127.0.0.1:5000/ns/library/base@" + digestA,
		"bitnami/x:1":                    "bitnami/x@" + digestA,
		"other.example:5000/y/z:2":       "other.example:5000/y/z@" + digestA,
		"mcr.microsoft.com/windows:ltsc": "mcr.microsoft.com/windows@" + digestA,
	} {
		got, err := pin(from, digestA)
		if err != nil || got != want {
			t.Errorf("pin(%s) = %s, %v; want %s", from, got, err, want)
		}
	}
	if _, err := pin("debian:bookworm", "sha256:short"); err == nil {
		t.Error("a bad digest was pinned")
	}
}

// A FROM of the Dockerfile that the inputs have no digest for is an
// input error, never resolved from the tag as it is now.
func TestPinsFor(t *testing.T) {
	in := &Inputs{Platform: "linux/amd64", Froms: []Pin{{From: "debian:bookworm", Digest: digestA, Image: "r/debian@" + digestA}}}
	pins, err := pinsFor(&scheduler.Job{Froms: []string{"debian:bookworm", "scratch"}}, in)
	if err != nil || pins["debian:bookworm"] != "r/debian@"+digestA || len(pins) != 1 {
		t.Errorf("pins %v, %v", pins, err)
	}
	_, err = pinsFor(&scheduler.Job{Froms: []string{"golang:1.22", "debian:bookworm"}}, in)
	if err == nil || !strings.Contains(err.Error(), "FROM golang:1.22, whose digest was not recorded") {
		t.Errorf("error %v, want one naming golang:1.22", err)
	}
}

// Inputs are written into a library entry; one that would add a line is
// refused.
func TestEntryRepoRefusesNewlines(t *testing.T) {
	in := &Inputs{Platform: "linux/amd64", Arch: "amd64", GitRepo: "https://github.com/o/app.git", fetchRepo: "https://github.com/o/app.git", GitCommit: "0123456789012345678901234567890123456789", Directory: "app\nGitRepo: file:///etc"}
	if _, err := entryRepo("app", in); err == nil || !strings.Contains(err.Error(), "spans lines") {
		t.Errorf("error %v, want one saying it spans lines", err)
	}
	in.Directory, in.Tag = "app", "1.2"
	repo, err := entryRepo("app", in)
	if err != nil {
		t.Fatal(err)
	}
	e := repo.Manifest.Entries[0]
	if e.ArchDirectory("amd64") != "app" || e.Tags[0] != "1.2" || !e.HasArchitecture("amd64") {
		t.Errorf("entry %+v", e)
	}
}

func mustRepo(t *testing.T, s string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A library GitRepo's credential is fetched with, and never shown: not in
// the inputs' JSON, not in their origins.
func TestInputsWithoutCredential(t *testing.T) {
	m, err := manifest.ParseString("library/app", "Maintainers: x <x@example.com> (@x)\nGitRepo: https://robot:TOKEN@github.com/o/app.git\n\n"+
		"Tags: 1\nArchitectures: amd64\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: app\n")
	if err != nil {
		t.Fatal(err)
	}
	ann := goodAnnotations()
	ann[annSource], ann[annRevision] = "https://github.com/o/app.git#0123456789012345678901234567890123456789:app", ""
	in, err := fromAnnotations(ann, &m.Entries[0], "library/app:4", "amd64", "linux/amd64", pinner(mustRepo(t, "registry.example/library/app")))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "TOKEN") {
		t.Errorf("the inputs show the credential: %s", data)
	}
	repo, err := entryRepo("app", in)
	if err != nil {
		t.Fatal(err)
	}
	if got := repo.Manifest.Entries[0].ArchGitRepo("amd64"); got != "https://robot:TOKEN@github.com/o/app.git" {
		t.Errorf("the rebuild fetches %q, want the library's GitRepo with its credential", got)
	}
}
