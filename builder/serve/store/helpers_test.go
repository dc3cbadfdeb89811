package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openTest opens a store in a new directory, closed when the test ends.
func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// testTime is a time with nanoseconds, which a round trip must keep.
func testTime(hour int) time.Time {
	return time.Date(2026, 3, 14, hour, 15, 9, 265358979, time.UTC)
}

// testJob returns a job with every field set.
func testJob(id, state string) Job {
	return Job{
		ID:          id,
		Repo:        "debian",
		Repos:       []string{"debian", "buildpack-deps"},
		Tags:        []string{"bookworm", "12"},
		Arch:        "arm64v8",
		Platform:    "linux/arm64/v8",
		BuildID:     "5f0c" + id,
		State:       state,
		Attempts:    2,
		Failures:    3,
		Worker:      "arm-1",
		Digest:      "sha256:0123",
		Image:       "staging.example/library/debian:5f0c",
		NextAttempt: testTime(5),
		Error:       "exit code 1",
		Commit:      "abc123",
		RunID:       7,
		Queued:      testTime(1),
		Start:       testTime(2),
		End:         testTime(3),
		Record:      json.RawMessage(`{"schemaVersion":1,"jobs":[{"id":"` + id + `"}]}`),
		Log:         "/state/logs/" + id + ".log",
	}
}

// checkIndex fails the test unless the state index of s lists every
// job, under its state, and nothing else.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		want := map[string]bool{}
		err := tx.Bucket([]byte(bucketJobs)).ForEach(func(k, v []byte) error {
			var job Job
			if err := json.Unmarshal(v, &job); err != nil {
				return err
			}
			want[string(stateKey(job.State, job.ID))] = true
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket([]byte(bucketJobsByState)).ForEach(func(k, _ []byte) error {
			if !want[string(k)] {
				return fmt.Errorf("index entry %q has no job in that state", bytes.ReplaceAll(k, []byte{0}, []byte(" | ")))
			}
			delete(want, string(k))
			return nil
		})
		for k := range want {
			t.Errorf("index misses %q", k)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// mustStartRun starts run and returns its id.
func mustStartRun(t *testing.T, s *Store, run Run) uint64 {
	t.Helper()
	id, err := s.StartRun(run)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
