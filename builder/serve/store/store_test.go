package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	jobs := []Job{testJob("a/amd64", "queued"), testJob("b/amd64", "failed")}
	backoff := Backoff{BuildID: "b1", Arch: "amd64", Count: 3, First: testTime(1), Last: testTime(2), Next: testTime(4), Err: "boom"}
	run := Run{Commit: "abc", Start: testTime(1), End: testTime(2), Counts: map[string]int{"queued": 1}, Err: "planning failed"}
	run.ID = mustStartRun(t, s, run)
	for _, err := range []error{
		s.SetCommit("abc", testTime(1)),
		s.PutJobs(jobs...),
		s.PutBackoff(backoff),
		s.PutTags(testTag("r.example/library/debian:12")),
		s.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	commit, synced, err := s.Commit()
	if err != nil || commit != "abc" || !synced.Equal(testTime(1)) {
		t.Errorf("Commit() = %q, %v, %v; want abc, %v", commit, synced, err, testTime(1))
	}
	gotJobs, err := s.Jobs(JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(jobs, gotJobs); d != "" {
		t.Errorf("jobs after reopening (-want +got):\n%s", d)
	}
	gotBackoffs, err := s.Backoffs()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Backoff{backoff}, gotBackoffs); d != "" {
		t.Errorf("backoffs after reopening (-want +got):\n%s", d)
	}
	gotRuns, err := s.Runs(0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Run{run}, gotRuns); d != "" {
		t.Errorf("runs after reopening (-want +got):\n%s", d)
	}
	gotTags, err := s.Tags()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Tag{testTag("r.example/library/debian:12")}, gotTags); d != "" {
		t.Errorf("tags after reopening (-want +got):\n%s", d)
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	dir := t.TempDir()
	first := openIn(t, dir)
	_, err := Open(dir, WithLockTimeout(10*time.Millisecond))
	if !errors.Is(err, errInUse) {
		t.Fatalf("second Open: %v, want an error wrapping %v", err, errInUse)
	}
	for _, want := range []string{"state directory " + dir + " is in use", fmt.Sprintf("(pid %d)", os.Getpid()), filepath.Join(dir, FileName)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("second Open: %q, want it to say %q", err, want)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openIn(t, dir) // the lock went with Close
}

func TestSecondOpenWithoutPIDFile(t *testing.T) {
	dir := t.TempDir()
	openIn(t, dir)
	if err := os.Remove(filepath.Join(dir, pidFileName)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, WithLockTimeout(10*time.Millisecond))
	if !errors.Is(err, errInUse) || !strings.Contains(err.Error(), "(pid unknown)") {
		t.Errorf("second Open: %v, want it in use by pid unknown", err)
	}
}

// openIn opens the store in dir, closed when the test ends.
func openIn(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestOpenCorruptFile(t *testing.T) {
	tests := []struct {
		name string
		file func(t *testing.T) []byte // the content of the state file
		want string                    // in the error, besides the file and "left untouched"
	}{
		{"garbage", func(*testing.T) []byte { return garbage(64 << 10) }, "invalid database"},
		{"short garbage", func(*testing.T) []byte { return garbage(100) }, "invalid database"},
		{"truncated to half", func(t *testing.T) []byte { db := realDB(t); return db[:len(db)/2] }, "truncated"},
		{"truncated to two pages", func(t *testing.T) []byte { return realDB(t)[:8192] }, "truncated"},
		{"truncated inside a page", func(t *testing.T) []byte { return realDB(t)[:5*4096+100] }, "truncated"},
		{"pages overwritten", func(t *testing.T) []byte {
			db := realDB(t)
			copy(db[len(db)/3:], garbage(len(db)/3))
			return db
		}, ""},
		{"another program's bbolt file", foreignDB, "not brewkit's"},
		{"a bad schema version", func(t *testing.T) []byte { return dbWithSchema(t, []byte("v1")) }, "is not a version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			content := tt.file(t)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			for range 2 { // a failed Open keeps no lock
				_, err := Open(dir, WithLockTimeout(10*time.Millisecond))
				if !errors.Is(err, errCorrupt) {
					t.Fatalf("Open: %v, want an error wrapping %v", err, errCorrupt)
				}
				for _, want := range []string{path, "left untouched", tt.want} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("Open: %q, want it to say %q", err, want)
					}
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, content) {
				t.Errorf("Open changed the file: %d bytes before, %d after", len(content), len(after))
			}
			if _, err := os.Stat(filepath.Join(dir, pidFileName)); err == nil {
				t.Errorf("a failed Open left a pid file")
			}
		})
	}
}

// garbage returns n bytes that are not a database.
func garbage(n int) []byte {
	return bytes.Repeat([]byte("not a bbolt page "), n/17+1)[:n]
}

// realDB returns the file of a store with a few hundred jobs.
func realDB(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		var jobs []Job
		for j := range 20 {
			jobs = append(jobs, testJob(fmt.Sprintf("src%02d%02d/amd64", i, j), "queued"))
		}
		if err := s.PutJobs(jobs...); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 64<<10 {
		t.Fatalf("the database has %d bytes, want more to truncate", len(b))
	}
	return b
}

// foreignDB returns a bbolt file that is not a store.
func foreignDB(t *testing.T) []byte {
	return boltFile(t, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("cache"))
		return err
	})
}

// dbWithSchema returns the file of a store whose schema version is v.
func dbWithSchema(t *testing.T, v []byte) []byte {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keySchema), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// boltFile returns a bbolt file written by update.
func boltFile(t *testing.T, update func(*bolt.Tx) error) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(db.Update(update), db.Close()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenNewerSchema(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	content := dbWithSchema(t, binary.BigEndian.AppendUint64(nil, schemaVersion+1))
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	if !errors.Is(err, errNewerSchema) {
		t.Fatalf("Open: %v, want an error wrapping %v", err, errNewerSchema)
	}
	for _, want := range []string{path, fmt.Sprintf("schema version %d", schemaVersion+1), fmt.Sprintf("up to %d", schemaVersion)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open: %q, want it to say %q", err, want)
		}
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, content) {
		t.Errorf("Open changed the file (%v)", err)
	}
}

func TestOpenEmptyFileIsNew(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openIn(t, dir)
	if err := s.PutJobs(testJob("a/amd64", "queued")); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	if err == nil || errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), filepath.Join(dir, FileName)) {
		t.Errorf("Open with a directory for a file: %v, want an error naming the file, not calling it corrupt", err)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	tests := map[string]Option{
		"zero lock timeout":     WithLockTimeout(0),
		"negative lock timeout": WithLockTimeout(-time.Second),
		"zero run retention":    WithRunRetention(0),
	}
	for name, opt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			if _, err := Open(dir, opt); err == nil {
				t.Fatal("Open succeeded")
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("Open created the state directory before checking its options")
			}
		})
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCommit(t *testing.T) {
	s := openTest(t)
	commit, synced, err := s.Commit()
	if err != nil || commit != "" || !synced.IsZero() {
		t.Errorf("Commit() of a new store = %q, %v, %v; want nothing", commit, synced, err)
	}
	for _, want := range []string{"c1", "c2"} {
		if err := s.SetCommit(want, testTime(len(want))); err != nil {
			t.Fatal(err)
		}
		commit, synced, err := s.Commit()
		if err != nil || commit != want || !synced.Equal(testTime(len(want))) {
			t.Errorf("Commit() = %q, %v, %v; want %s, %v", commit, synced, err, want, testTime(len(want)))
		}
	}
}
