package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A Job is one job of the daemon's plan, the build of one source for one
// architecture, and what became of it.
type Job struct {
	ID       string   `json:"id"`              // the scheduler's job id: source id/arch
	Repo     string   `json:"repo,omitempty"`  // the repository the job is listed under
	Repos    []string `json:"repos,omitempty"` // every repository whose tags it builds
	Tags     []string `json:"tags,omitempty"`
	Arch     string   `json:"arch,omitempty"`     // bashbrew architecture, such as arm64v8
	Platform string   `json:"platform,omitempty"` // OCI platform, such as linux/arm64/v8
	BuildID  string   `json:"buildId,omitempty"`

	// State is one of the daemon's job states (waiting, queued, running,
	// succeeded, failed, backoff, cancelled, skipped); the store indexes
	// jobs by it, and requires one.
	State       string    `json:"state"`
	Attempts    int       `json:"attempts,omitempty"` // in its last run
	Failures    int       `json:"failures,omitempty"` // its build's failed attempts in a row, over runs
	Worker      string    `json:"worker,omitempty"`
	Digest      string    `json:"digest,omitempty"`
	Image       string    `json:"image,omitempty"`
	NextAttempt time.Time `json:"nextAttempt,omitzero"` // in state backoff
	Error       string    `json:"error,omitempty"`

	Commit string    `json:"commit,omitempty"` // the official-images commit planned
	RunID  uint64    `json:"runId,omitempty"`  // the run that last changed the job
	Queued time.Time `json:"queued,omitzero"`
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`

	// Record is the job's build record, as JSON (see package
	// scheduler/record); it is stored compacted.
	Record json.RawMessage `json:"record,omitempty"`
	// Log is the path of the job's latest log file (see [Logs]).
	Log string `json:"log,omitempty"`
}

// A JobFilter selects jobs for [Store.Jobs]. An empty field matches
// every job.
type JobFilter struct {
	State string
	Repo  string // the job's Repo or one of its Repos
	Arch  string
}

// matches tells whether job passes f.
func (f JobFilter) matches(job Job) bool {
	return (f.State == "" || job.State == f.State) &&
		(f.Arch == "" || job.Arch == f.Arch) &&
		(f.Repo == "" || job.Repo == f.Repo || slices.Contains(job.Repos, f.Repo))
}

// PutJobs stores jobs, each replacing the job with its id, in one
// transaction: when PutJobs returns, either all of them are on disk or,
// with an error, none. A job needs an ID and a State.
func (s *Store) PutJobs(jobs ...Job) error {
	for _, job := range jobs {
		if err := checkJob(job); err != nil {
			return err
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, job := range jobs {
			if err := putJob(tx, job); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkJob checks that job can be stored and indexed.
func checkJob(job Job) error {
	switch {
	case job.ID == "":
		return errors.New("storing a job without an id")
	case job.State == "":
		return fmt.Errorf("storing job %s: no state", job.ID)
	case strings.IndexByte(job.State, 0) >= 0:
		return fmt.Errorf("storing job %s: state %q has a NUL byte", job.ID, job.State)
	}
	return nil
}

// putJob stores job and moves its index entry to its state.
func putJob(tx *bolt.Tx, job Job) error {
	if err := unindexJob(tx, job.ID); err != nil {
		return err
	}
	if err := tx.Bucket([]byte(bucketJobsByState)).Put(stateKey(job.State, job.ID), []byte{}); err != nil {
		return fmt.Errorf("indexing job %s: %w", job.ID, err)
	}
	return putJSON(tx, bucketJobs, []byte(job.ID), job)
}

// unindexJob removes the index entry of job id, if it has one.
func unindexJob(tx *bolt.Tx, id string) error {
	var old struct {
		State string `json:"state"`
	}
	found, err := getJSON(tx, bucketJobs, []byte(id), &old)
	if err != nil || !found {
		return err
	}
	if err := tx.Bucket([]byte(bucketJobsByState)).Delete(stateKey(old.State, id)); err != nil {
		return fmt.Errorf("unindexing job %s: %w", id, err)
	}
	return nil
}

// stateKey is the key of job id in state in bucketJobsByState. A state
// has no NUL byte (see checkJob), so the first NUL ends it.
func stateKey(state, id string) []byte {
	return append(stateKeyPrefix(state), id...)
}

// stateKeyPrefix starts the keys of every job in state.
func stateKeyPrefix(state string) []byte {
	return append([]byte(state), 0)
}

// Job returns the job with id, and whether there is one.
func (s *Store) Job(id string) (Job, bool, error) {
	var job Job
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx, bucketJobs, []byte(id), &job)
		return err
	})
	return job, found, err
}

// Jobs returns the jobs f selects, in the order of their ids. With a
// State, it reads only the jobs in that state, through the index.
func (s *Store) Jobs(f JobFilter) ([]Job, error) {
	var jobs []Job
	err := s.db.View(func(tx *bolt.Tx) error {
		return eachJobID(tx, f.State, func(id []byte) error {
			var job Job
			if _, err := getJSON(tx, bucketJobs, id, &job); err != nil {
				return err
			}
			if f.matches(job) {
				jobs = append(jobs, job)
			}
			return nil
		})
	})
	return jobs, err
}

// eachJobID calls fn with the id of every job in state, or of every job
// if state is empty, in order, until fn returns an error.
func eachJobID(tx *bolt.Tx, state string, fn func(id []byte) error) error {
	if state == "" {
		c := tx.Bucket([]byte(bucketJobs)).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := fn(k); err != nil {
				return err
			}
		}
		return nil
	}
	prefix := stateKeyPrefix(state)
	c := tx.Bucket([]byte(bucketJobsByState)).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(k[len(prefix):]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteJobs deletes the jobs with ids, in one transaction; an id
// without a job is no error.
func (s *Store) DeleteJobs(ids ...string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, id := range ids {
			if err := unindexJob(tx, id); err != nil {
				return err
			}
			if err := tx.Bucket([]byte(bucketJobs)).Delete([]byte(id)); err != nil {
				return fmt.Errorf("deleting job %s: %w", id, err)
			}
		}
		return nil
	})
}

// CountByState returns how many jobs are in each state, from the index
// alone. A state without jobs has no entry.
func (s *Store) CountByState() (map[string]int, error) {
	counts := map[string]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketJobsByState)).ForEach(func(k, _ []byte) error {
			state, _, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return fmt.Errorf("index key %q has no state", k)
			}
			counts[string(state)]++
			return nil
		})
	})
	return counts, err
}

// StateArch is a job state and an architecture: a key of
// [Store.CountByStateArch].
type StateArch struct {
	State, Arch string
}

// CountByStateArch returns how many jobs are in each state on each
// architecture, from the index alone: the arch of a job is the last
// element of its id (SOURCEID/ARCH; "" when the id has no slash). A
// state without jobs has no entry.
func (s *Store) CountByStateArch() (map[StateArch]int, error) {
	counts := map[StateArch]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketJobsByState)).ForEach(func(k, _ []byte) error {
			state, id, ok := bytes.Cut(k, []byte{0})
			if !ok {
				return fmt.Errorf("index key %q has no state", k)
			}
			arch := ""
			if i := bytes.LastIndexByte(id, '/'); i >= 0 {
				arch = string(id[i+1:])
			}
			counts[StateArch{State: string(state), Arch: arch}]++
			return nil
		})
	})
	return counts, err
}
