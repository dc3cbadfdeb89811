package store

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// commitRecord is the value of keyCommit.
type commitRecord struct {
	Commit   string    `json:"commit"`
	SyncedAt time.Time `json:"syncedAt"`
}

// SetCommit records commit as the commit of the official-images
// repository the daemon last synced, at syncedAt.
func (s *Store) SetCommit(commit string, syncedAt time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx, bucketMeta, []byte(keyCommit), commitRecord{Commit: commit, SyncedAt: syncedAt})
	})
}

// Commit returns what the last [Store.SetCommit] recorded: the commit
// synced and when. Both are empty if none was.
func (s *Store) Commit() (commit string, syncedAt time.Time, err error) {
	var rec commitRecord
	err = s.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx, bucketMeta, []byte(keyCommit), &rec)
		return err
	})
	return rec.Commit, rec.SyncedAt, err
}
