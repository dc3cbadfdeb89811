package store

import (
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A Tag is a publication of one tag: the index the daemon last wrote
// for it, when, and why (the commit planned and the jobs whose images
// it holds). A tag found up to date is not a publication: its Tag stays
// as the write that put the index there left it.
type Tag struct {
	// Ref is where the index went: "registry.example/library/debian:12".
	Ref  string `json:"ref"`
	Repo string `json:"repo,omitempty"` // the repository, as the library names it: "debian"
	Tag  string `json:"tag,omitempty"`  // "12"
	// Arch is the architecture of a tag of an arch namespace; empty for
	// the index of every architecture.
	Arch   string    `json:"arch,omitempty"`
	Digest string    `json:"digest"`           // of the index written
	Commit string    `json:"commit,omitempty"` // the official-images commit planned
	RunID  uint64    `json:"runId,omitempty"`  // the run that wrote it
	Time   time.Time `json:"time"`
	// Jobs are the ids of the jobs whose images the index holds.
	Jobs []string `json:"jobs,omitempty"`
	// Action is what was done: "written".
	Action string `json:"action"`
}

// PutTags stores tags, each replacing the tag with its Ref, in one
// transaction. A tag needs a Ref.
func (s *Store) PutTags(tags ...Tag) error {
	for _, t := range tags {
		if t.Ref == "" {
			return errors.New("storing a tag without a ref")
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, t := range tags {
			if err := putJSON(tx, bucketTags, []byte(t.Ref), t); err != nil {
				return err
			}
		}
		return nil
	})
}

// Tag returns the tag with ref, and whether there is one.
func (s *Store) Tag(ref string) (Tag, bool, error) {
	var t Tag
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx, bucketTags, []byte(ref), &t)
		return err
	})
	return t, found, err
}

// Tags returns every tag, in the order of their refs.
func (s *Store) Tags() ([]Tag, error) {
	var tags []Tag
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketTags)).ForEach(func(k, _ []byte) error {
			var t Tag
			if _, err := getJSON(tx, bucketTags, k, &t); err != nil {
				return err
			}
			tags = append(tags, t)
			return nil
		})
	})
	return tags, err
}
