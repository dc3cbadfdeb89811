package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is the version of the layout below. A change a reader of
// the previous layout would misread makes a new version, with the
// migration in [checkSchema]. A new bucket is no such change (a reader
// of the previous layout never opens it): it is listed in
// [addedBuckets], and Open gives it to a store that lacks it.
const schemaVersion = 1

// The buckets of the database. Integers are big-endian, so that keys
// sort as numbers; values are JSON.
const (
	// bucketMeta holds keySchema, the schema version (uint64), and
	// keyCommit, the last commit synced (a commitRecord).
	bucketMeta = "meta"
	// bucketRuns maps a run id (uint64, the bucket's sequence) to a Run.
	bucketRuns = "runs"
	// bucketJobs maps a job id to a Job.
	bucketJobs = "jobs"
	// bucketJobsByState indexes bucketJobs by state: its keys are
	// state NUL job id, its values empty (see stateKey).
	bucketJobsByState = "jobs-by-state"
	// bucketBackoffs maps build id NUL arch to a Backoff.
	bucketBackoffs = "backoffs"
	// bucketTags maps a tag's reference to a Tag: the index last written
	// for it. Added after version 1 was released, without a new version.
	bucketTags = "tags"

	keySchema = "schema"
	keyCommit = "commit"
)

// buckets lists every bucket a store of the current schema version was
// made with: one without them all is not a brewkit store.
func buckets() []string {
	return []string{bucketMeta, bucketRuns, bucketJobs, bucketJobsByState, bucketBackoffs}
}

// addedBuckets lists the buckets added to the schema since its version
// was released: a reader of that version ignores them, and [addBuckets]
// gives them to a store made before them.
func addedBuckets() []string {
	return []string{bucketTags}
}

// checkSchema checks the schema version of db, and tells whether db is
// new: without buckets, as bolt.Open creates a file. It reads only. The
// error it returns wraps errNewerSchema for a newer version; any other
// means the file is not a brewkit store.
func checkSchema(db *bolt.DB) (isNew bool, err error) {
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		if meta == nil {
			isNew = true
			return checkEmpty(tx)
		}
		if err := checkVersion(meta.Get([]byte(keySchema))); err != nil {
			return err
		}
		for _, name := range buckets() {
			if tx.Bucket([]byte(name)) == nil {
				return fmt.Errorf("bucket %q is missing", name)
			}
		}
		return nil
	})
	return isNew, err
}

// createBuckets gives a new database the buckets of the schema and its
// version, in one transaction.
func createBuckets(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, name := range append(buckets(), addedBuckets()...) {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keySchema), binary.BigEndian.AppendUint64(nil, schemaVersion))
	})
}

// checkEmpty refuses a database with buckets but no meta bucket: a bbolt
// file, but not one of this package.
func checkEmpty(tx *bolt.Tx) error {
	return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		return fmt.Errorf("a bbolt database with a bucket %q but no %q bucket, not brewkit's", name, bucketMeta)
	})
}

// checkVersion checks the schema version v, as stored.
func checkVersion(v []byte) error {
	if len(v) != 8 {
		return fmt.Errorf("schema version %q is not a version", v)
	}
	switch n := binary.BigEndian.Uint64(v); {
	case n > schemaVersion:
		return fmt.Errorf("%w: schema version %d, and this brewkit reads versions up to %d; run a newer brewkit, or give this one another state directory", errNewerSchema, n, schemaVersion)
	case n < 1:
		return fmt.Errorf("schema version %d is not a version", n)
	}
	return nil
}

// addBuckets creates the added buckets db lacks, in one transaction, and
// writes nothing when it has them all: opening a current store stays
// read-only until a method writes.
func addBuckets(db *bolt.DB) error {
	var missing []string
	if err := db.View(func(tx *bolt.Tx) error {
		for _, name := range addedBuckets() {
			if tx.Bucket([]byte(name)) == nil {
				missing = append(missing, name)
			}
		}
		return nil
	}); err != nil || len(missing) == 0 {
		return err
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, name := range missing {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		return nil
	})
}
