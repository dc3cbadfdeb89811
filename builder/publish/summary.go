package publish

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/brewkit/brewkit/builder/ociindex"
)

// Action is what Publish did with a target.
type Action int

const (
	Written    Action = iota + 1 // the index was written
	UpToDate                     // the registry had this very index: nothing written
	WouldWrite                   // a dry run found it missing or different
	Blocked                      // not written: an image is missing (see Target.Blocked)
	Failed                       // an error stopped it; Result.Err says which
)

func (a Action) String() string {
	switch a {
	case Written:
		return "written"
	case UpToDate:
		return "up to date"
	case WouldWrite:
		return "would write"
	case Blocked:
		return "blocked"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Result is what happened to one target.
type Result struct {
	Target Target
	Action Action
	// The index, once computed: its digest, size and media type, and the
	// platforms of its images in index order.
	Digest       string
	Size         int64
	MediaType    string
	Platforms    []string
	Attestations int   // attestation manifests in it
	Err          error // why it failed
}

func (res *Result) describe(idx *index) {
	res.Digest, res.Size, res.MediaType = idx.Digest.String(), int64(len(idx.Raw)), idx.MediaType
	for _, d := range idx.Manifests {
		if ociindex.IsAttestation(d) {
			res.Attestations++
			continue
		}
		res.Platforms = append(res.Platforms, ociindex.DescribePlatform(ociindex.PlatformOf(d)))
	}
}

// Summary is the result of every target of a Publish, in target order.
type Summary struct {
	Results    []Result
	DryRun     bool
	Start, End time.Time
	// Retries counts the requests sent again: the answers and errors
	// [RetryTransport] retries, and the manifests put again after the
	// registry did not see their children. A blob upload restarted whole
	// by go-containerregistry is not counted.
	Retries int
}

// Count returns how many targets ended with a.
func (s *Summary) Count(a Action) int {
	n := 0
	for _, r := range s.Results {
		if r.Action == a {
			n++
		}
	}
	return n
}

// Err joins the errors of the failed targets, each prefixed with its
// reference; nil when none failed.
// Blocked targets are not errors: the build's report has their cause.
func (s *Summary) Err() error {
	var errs []error
	for _, r := range s.Results {
		if r.Action == Failed {
			errs = append(errs, fmt.Errorf("%s: %w", r.Target.Ref, r.Err))
		}
	}
	return errors.Join(errs...)
}

// Write prints one line per target (what was done, the index, its digest,
// and its platforms or why it is blocked) and the totals.
func (s *Summary) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, r := range s.Results {
		d := r.Digest
		if d == "" {
			d = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Action, r.Target.Ref, d, r.detail())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	first := fmt.Sprintf("%d written", s.Count(Written))
	if s.DryRun {
		first = fmt.Sprintf("%d would write", s.Count(WouldWrite))
	}
	_, err := fmt.Fprintf(w, "%s, %d up to date, %d blocked, %d failed in %s\n", first,
		s.Count(UpToDate), s.Count(Blocked), s.Count(Failed), s.End.Sub(s.Start).Round(10*time.Millisecond))
	return err
}

// detail is a result's platforms, or why it was not written.
func (r Result) detail() string {
	switch r.Action {
	case Failed:
		return r.Err.Error()
	case Blocked:
		if len(r.Target.Missing) == 0 {
			return "no image"
		}
		return "missing " + missing(r.Target.Missing)
	}
	s := strings.Join(r.Platforms, ", ")
	if r.Attestations > 0 {
		s += fmt.Sprintf(" (+%d attestation%s)", r.Attestations, map[bool]string{true: "s"}[r.Attestations > 1])
	}
	if len(r.Target.Missing) > 0 {
		s += "; partial, without " + missing(r.Target.Missing)
	}
	return s
}

// missing is "arm64v8 (failed), s390x (skipped)".
func missing(ms []Member) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s (%s)", m.Arch, m.Status)
	}
	return strings.Join(parts, ", ")
}
