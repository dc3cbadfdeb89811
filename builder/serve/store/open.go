package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// openChecked opens the bbolt database at path, waiting at most timeout
// for its lock, checks that it is a whole, consistent database of a
// schema this package knows, and gives a new one its buckets. It writes
// nothing to a file that fails a check.
func openChecked(path string, timeout time.Duration) (*bolt.DB, error) {
	info, err := os.Stat(path)
	switch {
	case err == nil && !info.Mode().IsRegular():
		return nil, fmt.Errorf("opening state file %s: not a regular file", path)
	case err == nil && info.Size() > 0:
		if err := verify(path, timeout); err != nil {
			return nil, err
		}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("opening state file: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, openError(path, err)
	}
	isNew, err := checkSchema(db)
	switch {
	case errors.Is(err, errNewerSchema):
		return nil, errors.Join(fmt.Errorf("%s: %w", path, err), db.Close())
	case err != nil:
		return nil, errors.Join(corrupt(path, err), db.Close())
	case isNew:
		if err := createBuckets(db); err != nil {
			return nil, errors.Join(fmt.Errorf("initializing %s: %w", path, err), db.Close())
		}
	default:
		if err := addBuckets(db); err != nil {
			return nil, errors.Join(fmt.Errorf("upgrading %s: %w", path, err), db.Close())
		}
	}
	return db, nil
}

// verify checks, read-only, that the file at path is a whole and
// consistent bbolt database: opening a truncated or damaged file to
// write could fault or panic inside bolt.Open, which then never returns
// the mapping of the file, nor, with it, the file's lock.
func verify(path string, timeout time.Duration) (err error) {
	var db *bolt.DB
	err = recovered(func() error {
		var err error
		db, err = bolt.Open(path, 0, &bolt.Options{ReadOnly: true, Timeout: timeout})
		return err
	})
	if err != nil {
		return openError(path, err)
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	err = recovered(func() error {
		if err := checkWhole(db); err != nil {
			return err
		}
		return checkPages(db)
	})
	if err != nil {
		return corrupt(path, err)
	}
	return nil
}

// recovered calls fn, and turns a panic of fn's, or a fault reading the
// file bbolt maps into memory, into an error.
func recovered(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading it failed: %v", r)
		}
	}()
	return fn()
}

// openError explains an error of bolt.Open on path.
func openError(path string, err error) error {
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%s: %w", path, errInUse)
	}
	if _, ok := errors.AsType[*fs.PathError](err); ok {
		return fmt.Errorf("opening state file: %w", err)
	}
	return corrupt(path, err)
}

// corrupt wraps err, the reason the file at path cannot be used, in an
// error that says the file was left as it was.
func corrupt(path string, err error) error {
	return fmt.Errorf("%w %s, left untouched (restore it from a backup, or move it aside to start from an empty state): %w", errCorrupt, path, err)
}

// checkWhole checks that the file is as long as the database it holds:
// a truncated file has pages missing, which bbolt would fault on.
func checkWhole(db *bolt.DB) error {
	info, err := os.Stat(db.Path())
	if err != nil {
		return err
	}
	return db.View(func(tx *bolt.Tx) error {
		if need := tx.Size(); info.Size() < need {
			return fmt.Errorf("truncated: the file has %d bytes, the database %d", info.Size(), need)
		}
		return nil
	})
}

// checkPages runs bbolt's consistency check of every page of db, and
// returns the first few problems it finds.
func checkPages(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		n := 0
		for err := range tx.Check() {
			if n++; n <= 3 {
				errs = append(errs, err)
			}
		}
		if n > 3 {
			errs = append(errs, fmt.Errorf("and %d more problems", n-3))
		}
		return errors.Join(errs...)
	})
}
