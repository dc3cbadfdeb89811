package store

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A Backoff is the failure history of one build id on one architecture:
// how many attempts failed, when the first and the last did, and when
// the next may start (see [Schedule]). It outlives the jobs of a plan,
// so that a build failing under one commit keeps backing off under the
// next, while its build id stays the same.
type Backoff struct {
	BuildID string    `json:"buildId"`
	Arch    string    `json:"arch"`
	Count   int       `json:"count"` // failed attempts
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`
	Next    time.Time `json:"next,omitzero"`
	Err     string    `json:"error,omitempty"` // the last failure
}

// Backoff returns the backoff of buildID on arch, and whether there is
// one.
func (s *Store) Backoff(buildID, arch string) (Backoff, bool, error) {
	var b Backoff
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx, bucketBackoffs, backoffKey(buildID, arch), &b)
		return err
	})
	return b, found, err
}

// PutBackoff stores b, replacing the backoff of its build id and arch.
// A backoff needs a BuildID without a NUL byte.
func (s *Store) PutBackoff(b Backoff) error {
	if b.BuildID == "" || strings.IndexByte(b.BuildID, 0) >= 0 {
		return fmt.Errorf("storing the backoff of build id %q on %s: not a build id", b.BuildID, b.Arch)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx, bucketBackoffs, backoffKey(b.BuildID, b.Arch), b)
	})
}

// ClearBackoff deletes the backoff of buildID on arch, after a success;
// a backoff that does not exist is no error, and costs no write (a daemon
// clears the backoff of every job that succeeds, which seldom has one).
func (s *Store) ClearBackoff(buildID, arch string) error {
	key := backoffKey(buildID, arch)
	var found bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket([]byte(bucketBackoffs)).Get(key) != nil
		return nil
	}); err != nil || !found {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte(bucketBackoffs)).Delete(key); err != nil {
			return fmt.Errorf("clearing the backoff of %s on %s: %w", buildID, arch, err)
		}
		return nil
	})
}

// Backoffs returns every backoff, in the order of build id, then arch.
func (s *Store) Backoffs() ([]Backoff, error) {
	var all []Backoff
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketBackoffs)).ForEach(func(k, _ []byte) error {
			var b Backoff
			if _, err := getJSON(tx, bucketBackoffs, k, &b); err != nil {
				return err
			}
			all = append(all, b)
			return nil
		})
	})
	return all, err
}

// backoffKey is the key of the backoff of buildID on arch: a build id
// has no NUL byte (see PutBackoff), so the first NUL ends it.
func backoffKey(buildID, arch string) []byte {
	return append(append([]byte(buildID), 0), arch...)
}
