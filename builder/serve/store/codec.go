package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// putJSON stores v, as JSON, under key in bucket.
func putJSON(tx *bolt.Tx, bucket string, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s %q: %w", bucket, key, err)
	}
	if err := tx.Bucket([]byte(bucket)).Put(key, raw); err != nil {
		return fmt.Errorf("writing %s %q: %w", bucket, key, err)
	}
	return nil
}

// getJSON decodes the value of key in bucket into v, and tells whether
// there was one.
func getJSON(tx *bolt.Tx, bucket string, key []byte, v any) (bool, error) {
	raw := tx.Bucket([]byte(bucket)).Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("decoding %s %q: %w", bucket, key, err)
	}
	return true, nil
}
