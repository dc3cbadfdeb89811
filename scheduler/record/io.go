package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Write writes r to w as indented JSON, at the current [Version] whatever
// r.SchemaVersion says (a record read from an older version keeps the
// fields that version lacks empty). Git repositories and the URLs in
// errors are written without their user information.
func (r Record) Write(w io.Writer) error {
	r.SchemaVersion = Version
	jobs := make([]Job, len(r.Jobs)) // r's own, to redact
	for i, j := range r.Jobs {
		j.Error = redact(j.Error)
		jobs[i] = j // Source redacts itself
	}
	r.Jobs = jobs
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("build record: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// WriteFile writes r to the file name, as [Record.Write] does, through a
// temporary file in the same directory renamed over name: a reader sees
// the old record or the new one, never half of one.
func (r Record) WriteFile(name string) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	defer os.Remove(f.Name()) // once renamed, there is nothing to remove
	if err := r.Write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return os.Rename(f.Name(), name)
}

// Read reads a record of any version from 0 to [Version] and checks it:
// every job has entries, a known status and an id of its own, names as
// the job of a FROM only a job of the record, and has a sourceDateEpoch
// that is its commitTime. Fields a version lacks are left empty; fields
// this package does not know are ignored (a newer brewkit may add them
// without changing the version). A newer version is refused: its fields
// may no longer mean what this brewkit takes them to.
func Read(rd io.Reader) (Record, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return Record{}, fmt.Errorf("reading build record: %w", err)
	}
	var head struct {
		SchemaVersion int             `json:"schemaVersion"`
		Jobs          json.RawMessage `json:"jobs"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return Record{}, fmt.Errorf("not a build record: %w", err)
	}
	if head.SchemaVersion < 0 || head.SchemaVersion > Version {
		return Record{}, fmt.Errorf("build record schema version %d: this brewkit reads versions 0 to %d (upgrade brewkit to read it)", head.SchemaVersion, Version)
	}
	if head.Jobs == nil {
		return Record{}, errors.New(`not a build record: no "jobs"`)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("build record version %d: %w", head.SchemaVersion, err)
	}
	if err := r.validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// ReadFile reads the record in the file name, as [Read] does; its errors
// name the file.
func ReadFile(name string) (Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return Record{}, err
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return Record{}, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

// validate checks what [Record.Report] relies on.
func (r Record) validate() error {
	ids := map[string]bool{}
	for i, j := range r.Jobs {
		if ids[j.ID] {
			return fmt.Errorf("job %d (%s %s): another job has its id", i, j.ID, j.Arch)
		}
		ids[j.ID] = true
	}
	for i, j := range r.Jobs {
		if err := j.validate(ids); err != nil {
			return fmt.Errorf("job %d (%s %s): %w", i, j.ID, j.Arch, err)
		}
	}
	return nil
}

func (j Job) validate(ids map[string]bool) error {
	if len(j.Entries) == 0 {
		return errors.New("has no entries: written by an older brewkit build; build again to write them")
	}
	if _, ok := parseStatus(j.Status); !ok {
		return fmt.Errorf("unknown status %q", j.Status)
	}
	for _, f := range j.Froms {
		if f.Job != "" && !ids[f.Job] {
			return fmt.Errorf("FROM %s: built by job %s, which the record does not have", f.From, f.Job)
		}
	}
	if j.SourceDateEpoch != nil && *j.SourceDateEpoch != j.CommitTime.Unix() {
		return fmt.Errorf("sourceDateEpoch %d is not commitTime %s", *j.SourceDateEpoch, j.CommitTime.Format(time.RFC3339))
	}
	return nil
}
