package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Logs keeps the log files of jobs in one directory, one file per
// attempt. The daemon's is the directory "logs" of its state directory.
// A Logs is safe for concurrent use.
//
// A log file's name is made of the job id, its attempt and the time
// the file was created (see [logName]); whatever the job id (job ids
// have a '/', may have "..", may be long), the name is a single file
// name inside the directory.
type Logs struct {
	dir string
	now func() time.Time // time.Now, but in tests
}

// logsMaxSlug bounds the part of a log file's name that spells out the
// job id: a source id and an arch fit in it.
const logsMaxSlug = 100

// NewLogs returns the logs in dir, creating dir if needed.
func NewLogs(dir string) (*Logs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	return &Logs{dir: dir, now: time.Now}, nil
}

// Dir returns the directory of the logs.
func (l *Logs) Dir() string { return l.dir }

// Create creates a new log file for the attempt of job jobID and returns
// it open for writing, with its path; the caller closes it. It never
// opens an existing file: should the name be taken, it adds -2, -3… to
// it.
func (l *Logs) Create(jobID string, attempt int) (*os.File, string, error) {
	name := logName(jobID, attempt, l.now())
	for i := 1; ; i++ {
		path := filepath.Join(l.dir, name)
		if i > 1 {
			path = filepath.Join(l.dir, strings.TrimSuffix(name, ".log")+fmt.Sprintf("-%d.log", i))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, path, nil
		}
		if !errors.Is(err, fs.ErrExist) || i == 100 {
			return nil, "", fmt.Errorf("creating the log of job %s, attempt %d: %w", jobID, attempt, err)
		}
	}
}

// logName names the log file of attempt of job jobID created at t:
//
//	<job id, spelled safely>.<sha256 of the job id, 16 digits>.<attempt>.<UTC time>.log
//
// The job id is spelled with letters, digits, '_', '-' and '.' only
// (anything else becomes '_'), never starts with '.' or '-', and keeps
// its first and last 50 bytes if longer than logsMaxSlug; the hash tells
// apart two ids spelled alike.
func logName(jobID string, attempt int, t time.Time) string {
	sum := sha256.Sum256([]byte(jobID))
	return fmt.Sprintf("%s.%s.%d.%s.log", slug(jobID), hex.EncodeToString(sum[:8]), attempt, t.UTC().Format("20060102T150405.000000000Z"))
}

// slug spells id with the bytes a file name can always have.
func slug(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > logsMaxSlug {
		b = slices.Concat(b[:logsMaxSlug/2], []byte("~"), b[len(b)-logsMaxSlug/2:])
	}
	s := strings.TrimLeft(string(b), ".-")
	if s == "" {
		return "job"
	}
	return s
}

// Prune deletes log files, the oldest first, until at most maxCount are
// left and none was last written more than maxAge ago. A limit that is
// not positive does not apply. Prune goes by the time a file was last
// written, so the log of a running job stays among the newest. It
// returns how many files it deleted; a file it could not delete does not
// stop it from deleting the others.
func (l *Logs) Prune(maxCount int, maxAge time.Duration) (removed int, err error) {
	files, err := l.files()
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-maxAge)
	var errs []error
	for i, f := range files {
		if (maxCount <= 0 || i < maxCount) && (maxAge <= 0 || !f.mod.Before(cutoff)) {
			continue
		}
		err := os.Remove(filepath.Join(l.dir, f.name))
		switch {
		case err == nil:
			removed++
		case !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, err)
		}
	}
	return removed, errors.Join(errs...)
}

// logFile is a log file in the directory of [Logs].
type logFile struct {
	name string
	mod  time.Time
}

// files lists the log files, newest first.
func (l *Logs) files() ([]logFile, error) {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, fmt.Errorf("listing logs: %w", err)
	}
	var files []logFile
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".log") {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted since ReadDir
		}
		if err != nil {
			return nil, fmt.Errorf("listing logs: %w", err)
		}
		files = append(files, logFile{name: e.Name(), mod: info.ModTime()})
	}
	slices.SortFunc(files, func(a, b logFile) int {
		if c := b.mod.Compare(a.mod); c != 0 {
			return c
		}
		return strings.Compare(b.name, a.name)
	})
	return files, nil
}
