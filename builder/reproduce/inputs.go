package reproduce

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler/record"
)

// Inputs are what one platform of a published image was built from, as
// far as was recorded: enough to build it again. Every value says where
// it came from ([Input]).
type Inputs struct {
	Arch       string    `json:"arch"`     // bashbrew architecture
	Platform   string    `json:"platform"` // OCI platform
	GitRepo    string    `json:"gitRepo"`  // without credentials (manifest.RedactGitRepo)
	fetchRepo  string    // the GitRepo the rebuild fetches: the library's, credentials and all
	GitFetch   string    `json:"gitFetch,omitempty"`
	GitCommit  string    `json:"gitCommit"`
	Directory  string    `json:"directory"`
	File       string    `json:"file"`
	Builder    string    `json:"builder,omitempty"`
	CommitTime time.Time `json:"commitTime,omitzero"` // SOURCE_DATE_EPOCH
	// Froms pin each FROM of the Dockerfile but scratch to the digest it
	// was built on, by name as the planner normalises it.
	Froms []Pin `json:"froms,omitempty"`
	// Tag is the tag the image was built for, which its annotations
	// repeat (org.opencontainers.image.version).
	Tag string `json:"tag,omitempty"`
	// BuildID is the recorded build id, which the rebuild's must equal.
	BuildID string `json:"buildId,omitempty"`
	// Origins say where each value came from, in the order printed.
	Origins []Input `json:"origins"`
}

// Pin is a FROM and the image it was built on: Image pinned by digest.
type Pin struct {
	From   string `json:"from"`
	Digest string `json:"digest"`
	Image  string `json:"image"` // REPOSITORY@DIGEST, where it is read from
}

// Input is one input and where it came from: "record FILE", "annotation
// NAME", "library FILE:LINE".
type Input struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	From  string `json:"from"`
}

func (in *Inputs) note(name, value, from string) {
	if value == "" {
		value = "(default)"
	}
	in.Origins = append(in.Origins, Input{Name: name, Value: value, From: from})
}

// InputError is an input that is missing or contradicts another: the
// platform cannot be rebuilt without a guess.
type InputError struct {
	Platform string
	Reason   string
}

func (e *InputError) Error() string { return e.Platform + ": " + e.Reason }

// fromRecord finds in rec the job that built digest (the platform's
// manifest) for arch, and takes its inputs. recName names rec in the
// origins. Pins of FROMs built by a job of rec are that job's staged
// image; the others are resolved by resolve (their repository in the
// published namespace).
func fromRecord(rec record.Record, recName, arch, platform, digest string, resolve func(from, digest string) (string, error)) (*Inputs, error) {
	i := slices.IndexFunc(rec.Jobs, func(j record.Job) bool { return j.Arch == arch && j.Digest == digest })
	if i < 0 {
		return nil, &InputError{platform, fmt.Sprintf("the record %s has no job that built %s for %s", recName, digest, arch)}
	}
	j := rec.Jobs[i]
	if j.CommitTime.IsZero() {
		return nil, &InputError{platform, fmt.Sprintf("the record %s is of schema version 0: it has no commit time nor FROMs; build again to record them", recName)}
	}
	from := "record " + recName + " job " + j.ID
	in := &Inputs{Arch: arch, Platform: platform, GitRepo: j.Source.GitRepo, fetchRepo: j.Source.GitRepo, GitFetch: j.Source.GitFetch, GitCommit: j.Source.GitCommit,
		Directory: j.Source.Directory, File: j.Source.File, Builder: j.Builder, CommitTime: j.CommitTime, BuildID: j.BuildID}
	if len(j.Entries) > 0 {
		in.Tag = j.Entries[0].Tag
	}
	for _, kv := range [][2]string{{"GitRepo", in.GitRepo}, {"GitFetch", in.GitFetch}, {"GitCommit", in.GitCommit},
		{"Directory", in.Directory}, {"File", in.File}, {"Builder", in.Builder}, {"commit time", in.CommitTime.UTC().Format(time.RFC3339)}, {"tag", in.Tag}, {"build id", in.BuildID}} {
		in.note(kv[0], kv[1], from)
	}
	byID := map[string]record.Job{}
	for _, j := range rec.Jobs {
		byID[j.ID] = j
	}
	for _, f := range j.Froms {
		if f.From == "scratch" {
			continue
		}
		if f.Digest == "" {
			return nil, &InputError{platform, fmt.Sprintf("the record %s has no digest for FROM %s", recName, f.From)}
		}
		image := byID[f.Job].Image
		if f.Job == "" || strings.HasPrefix(image, "oci-layout://") || image == "" {
			var err error
			if image, err = resolve(f.From, f.Digest); err != nil {
				return nil, &InputError{platform, err.Error()}
			}
		}
		in.Froms = append(in.Froms, Pin{From: f.From, Digest: f.Digest, Image: image})
		in.note("FROM "+f.From, image, from)
	}
	return in, nil
}

// Annotations the production pipeline, and brewkit, put on each image.
const (
	annSource     = "org.opencontainers.image.source" // REPO#COMMIT:DIR
	annRevision   = "org.opencontainers.image.revision"
	annCreated    = "org.opencontainers.image.created"
	annArch       = "com.docker.official-images.bashbrew.arch"
	annVersion    = "org.opencontainers.image.version" // the entry's first tag
	annBaseName   = "org.opencontainers.image.base.name"
	annBaseDigest = "org.opencontainers.image.base.digest"
)

// fromAnnotations takes the inputs of a platform from its manifest's
// annotations (the source, revision, creation time, arch and base), and
// the rest (GitFetch, File, Builder) from the library entry that has
// the tag. A value missing, or two that disagree, is an *InputError.
func fromAnnotations(ann map[string]string, entry *manifest.Entry, entryAt, arch, platform string, resolve func(from, digest string) (string, error)) (*Inputs, error) {
	bad := func(format string, a ...any) error { return &InputError{platform, fmt.Sprintf(format, a...)} }
	src := ann[annSource]
	repo, rest, ok1 := cutLast(src, "#")
	commit, dir, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || repo == "" || commit == "" {
		return nil, bad("the image has no %s annotation of the form REPO#COMMIT:DIR (it has %q): give --record", annSource, src)
	}
	if rev := ann[annRevision]; rev != "" && rev != commit {
		return nil, bad("annotation %s is %s, but %s names commit %s", annRevision, rev, annSource, commit)
	}
	if a := ann[annArch]; a != "" && a != arch {
		return nil, bad("annotation %s is %s, but the index lists this image as %s", annArch, a, arch)
	}
	created, err := time.Parse(time.RFC3339, ann[annCreated])
	if err != nil {
		return nil, bad("annotation %s %q is not an RFC 3339 time: %v", annCreated, ann[annCreated], err)
	}
	if !entry.HasArchitecture(arch) {
		return nil, bad("the library entry at %s does not build %s", entryAt, arch)
	}
	if lib := manifest.RedactGitRepo(entry.ArchGitRepo(arch)); lib != repo {
		return nil, bad("annotation %s names repository %s, but the library entry at %s has %s", annSource, repo, entryAt, lib)
	}
	in := &Inputs{Arch: arch, Platform: platform, GitRepo: repo, fetchRepo: entry.ArchGitRepo(arch), GitFetch: entry.ArchGitFetch(arch), GitCommit: commit,
		Directory: dir, File: entry.ArchFile(arch), Builder: entry.ArchBuilder(arch), CommitTime: created}
	in.note("GitRepo", repo, "annotation "+annSource)
	in.note("GitCommit", commit, "annotation "+annSource)
	in.note("Directory", dir, "annotation "+annSource)
	in.note("commit time", ann[annCreated], "annotation "+annCreated)
	if in.Tag = ann[annVersion]; in.Tag != "" {
		in.note("tag", in.Tag, "annotation "+annVersion)
	}
	for _, kv := range [][2]string{{"GitFetch", in.GitFetch}, {"File", in.File}, {"Builder", in.Builder}} {
		in.note(kv[0], kv[1], "library "+entryAt)
	}
	if base := ann[annBaseName]; base != "" {
		d := ann[annBaseDigest]
		if d == "" {
			return nil, bad("annotation %s is %s, but there is no %s", annBaseName, base, annBaseDigest)
		}
		image, err := resolve(base, d)
		if err != nil {
			return nil, bad("%v", err)
		}
		in.Froms = append(in.Froms, Pin{From: base, Digest: d, Image: image})
		in.note("FROM "+base, image, "annotations "+annBaseName+", "+annBaseDigest)
	}
	return in, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
