package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A Run is one pass of the daemon over the library: sync the
// official-images repository, plan, build what is missing, publish.
type Run struct {
	// ID is the run's number, given by [Store.StartRun]: each run's is
	// greater than the one before.
	ID uint64 `json:"id"`
	// Commit is the official-images commit the run planned.
	Commit string         `json:"commit,omitempty"`
	Start  time.Time      `json:"start,omitzero"`
	End    time.Time      `json:"end,omitzero"`
	Counts map[string]int `json:"counts,omitempty"` // jobs by state at the end
	Err    string         `json:"error,omitempty"`  // why the run failed, if it did
}

// StartRun records run as a new run and returns its id (run.ID is
// ignored). It deletes the oldest runs beyond the retention
// ([WithRunRetention]) in the same transaction.
func (s *Store) StartRun(run Run) (uint64, error) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		runs := tx.Bucket([]byte(bucketRuns))
		id, err := runs.NextSequence()
		if err != nil {
			return fmt.Errorf("numbering a run: %w", err)
		}
		run.ID = id
		if err := putJSON(tx, bucketRuns, runKey(id), run); err != nil {
			return err
		}
		return pruneRuns(runs, id, s.opts.runRetention)
	})
	if err != nil {
		return 0, err
	}
	return run.ID, nil
}

// EndRun records run again, under run.ID, usually with its End, Counts
// and Err set. The run must have been started, and not pruned since.
func (s *Store) EndRun(run Run) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bucketRuns)).Get(runKey(run.ID)) == nil {
			return fmt.Errorf("ending run %d: no such run", run.ID)
		}
		return putJSON(tx, bucketRuns, runKey(run.ID), run)
	})
}

// Runs returns the last limit runs, newest first; all of them if limit
// is not positive.
func (s *Store) Runs(limit int) ([]Run, error) {
	var runs []Run
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucketRuns)).Cursor()
		for k, _ := c.Last(); k != nil && (limit <= 0 || len(runs) < limit); k, _ = c.Prev() {
			var run Run
			if _, err := getJSON(tx, bucketRuns, k, &run); err != nil {
				return err
			}
			runs = append(runs, run)
		}
		return nil
	})
	return runs, err
}

// runKey is the key of run id in bucketRuns.
func runKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// pruneRuns deletes from runs the runs older than the keep newest, newest
// being the id of the newest run.
func pruneRuns(runs *bolt.Bucket, newest uint64, keep int) error {
	if newest <= uint64(keep) {
		return nil
	}
	last := runKey(newest - uint64(keep)) // the newest run to delete
	c := runs.Cursor()
	for k, _ := c.First(); k != nil && string(k) <= string(last); k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("pruning run %d: %w", binary.BigEndian.Uint64(k), err)
		}
	}
	return nil
}
