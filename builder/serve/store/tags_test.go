package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// testTag returns a tag with every field set.
func testTag(ref string) Tag {
	return Tag{Ref: ref, Repo: "debian", Tag: "12", Arch: "amd64", Digest: "sha256:0123", Commit: "abc123", RunID: 7,
		Time: testTime(4), Jobs: []string{"src1/amd64", "src2/amd64"}, Action: "written"}
}

func TestTags(t *testing.T) {
	s := openTest(t)
	b, a := testTag("r.example/library/debian:12"), testTag("r.example/library/alpine:3")
	if err := s.PutTags(b, a); err != nil {
		t.Fatal(err)
	}
	b.Digest, b.Time = "sha256:4567", testTime(5)
	if err := s.PutTags(b); err != nil {
		t.Fatal(err)
	}
	got, err := s.Tags()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Tag{a, b}, got); d != "" {
		t.Errorf("Tags(), sorted by ref, the second put replacing the first (-want +got):\n%s", d)
	}
	tests := []struct {
		ref   string
		want  Tag
		found bool
	}{
		{b.Ref, b, true},
		{"r.example/library/debian", Tag{}, false},
		{"", Tag{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, found, err := s.Tag(tt.ref)
			if err != nil || found != tt.found {
				t.Fatalf("Tag(%q) found %v, %v; want %v", tt.ref, found, err, tt.found)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Tag(%q) (-want +got):\n%s", tt.ref, d)
			}
		})
	}
	if err := s.PutTags(a, Tag{Digest: "sha256:89ab"}); err == nil {
		t.Error("PutTags of a tag without a ref: no error")
	}
}

// A store made before the tags bucket was added gets it at Open, and
// keeps everything else.
func TestOpenAddsTheTagsBucket(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	job := testJob("a/amd64", "queued")
	if err := s.PutJobs(job); err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(bucketTags)) })
	if err := errors.Join(err, s.Close()); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatalf("opening a store without the tags bucket: %v", err)
	}
	defer s.Close()
	if tags, err := s.Tags(); err != nil || len(tags) != 0 {
		t.Errorf("Tags() = %v, %v; want none", tags, err)
	}
	if err := s.PutTags(testTag("r.example/library/debian:12")); err != nil {
		t.Error(err)
	}
	if got, _, err := s.Job(job.ID); err != nil || !cmp.Equal(got, job) {
		t.Errorf("Job(%s) = %+v, %v; want it kept", job.ID, got, err)
	}
}

// Opening a store that has every bucket writes nothing to it.
func TestOpenCurrentStoreWritesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("reopening a current store changed its file")
	}
}
