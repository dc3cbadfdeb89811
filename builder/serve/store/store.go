package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// FileName is the name of the database file in the state directory.
const FileName = "brewkit.db"

// pidFileName names the file in the state directory that holds the
// process id of the brewkit serve that has it open. It is only ever
// read to make the "in use" error of a second daemon say which process
// holds the lock: the lock itself is on the database file.
const pidFileName = "brewkit.pid"

// A Store is the daemon's state: the last commit synced, runs, jobs and
// backoffs, in one bbolt database file. It is safe for concurrent use.
// Every method that writes commits one transaction, synced to disk
// before it returns.
type Store struct {
	db        *bolt.DB
	dir       string
	opts      options
	closeOnce sync.Once
	closeErr  error
}

// Open opens the store in the state directory dir, creating the
// directory and the file [FileName] in it if needed.
//
// Open fails, with an error naming the file, when:
//   - another process has the store open (it waits for the lock for the
//     time [WithLockTimeout] gives, one second by default);
//   - the file is not a database (garbage, truncated, or unreadable):
//     the file is left untouched, never replaced or moved aside, so that
//     whoever runs the daemon decides whether to restore or remove it;
//   - the file was written by a newer brewkit, with a newer schema.
//
// Open also writes the id of this process into the file brewkit.pid in
// dir, which the error of a second Open quotes; [Store.Close] removes it.
func Open(dir string, opts ...Option) (*Store, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating state directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := openChecked(path, o.lockTimeout)
	if errors.Is(err, errInUse) {
		return nil, fmt.Errorf("state directory %s is in use by another brewkit serve (%s): %w", dir, holder(dir), err)
	}
	if err != nil {
		return nil, err
	}
	if err := writePID(dir); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &Store{db: db, dir: dir, opts: o}, nil
}

// Path returns the path of the database file.
func (s *Store) Path() string { return s.db.Path() }

// Close closes the database file and releases its lock. Further calls
// return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		err := os.Remove(filepath.Join(s.dir, pidFileName))
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		s.closeErr = errors.Join(err, s.db.Close())
	})
	return s.closeErr
}

// writePID writes this process's id into the state directory, for the
// error of a second daemon (see [holder]).
func writePID(dir string) error {
	path := filepath.Join(dir, pidFileName)
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// holder says which process holds the state directory dir, as far as
// its pid file tells.
func holder(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, pidFileName))
	if err != nil {
		return "pid unknown"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return "pid unknown"
	}
	return "pid " + strconv.Itoa(pid)
}
