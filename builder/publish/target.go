package publish

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/brewkit/brewkit/scheduler"
)

// Options say where [Targets] publishes, and what it does with tags whose
// images are not all built.
type Options struct {
	// To is "REGISTRY/NAMESPACE": the index of repo:tag goes to
	// REGISTRY/NAMESPACE/repo:tag. A first component without a dot or a
	// colon that is not "localhost" is a Docker Hub namespace, so "library"
	// is docker.io/library.
	To string
	// Partial publishes a tag without its arches whose job failed, was
	// skipped or cancelled. Without it such a tag is blocked: not written,
	// left as it is in the registry.
	Partial bool
	// ArchNamespaces maps an architecture to a namespace on To's registry
	// where each tag is also published for that architecture alone, as a
	// single-arch index (the production pipeline's amd64/…, arm64v8/…):
	// {"arm64v8": "arm64v8"} also writes REGISTRY/arm64v8/repo:tag.
	ArchNamespaces map[string]string
}

// Target is one index to write: a tag or a shared tag of a repository, or
// its copy for one architecture in an arch namespace.
type Target struct {
	Ref    string // where it goes: "REGISTRY/NAMESPACE/repo:tag"; "repo:tag" from [Tags]
	Repo   string // the repository, as the library names it: "golang"
	Tag    string // "1.22"
	Shared bool   // a shared tag, combining the images of several entries
	// Arch is the architecture of a target in an arch namespace; "" for
	// the index of every architecture.
	Arch string
	// Entries are the library entries whose images it combines, in
	// library order.
	Entries []scheduler.Origin
	// Members are the images it holds, one per architecture (Windows
	// images, one per os.version, excepted), ordered by platform.
	Members []Member
	// Missing are the members whose job did not produce an image (it
	// failed, was skipped or cancelled). Without Options.Partial they block
	// the target.
	Missing []Member
	// Blocked is set when the target is not to be written: an image is
	// missing and Options.Partial is not set, or no image is left.
	Blocked bool
	// Err, when set, is why the target cannot be written at all: entries
	// give it two images of one architecture ([scheduler.TagConflict]s).
	// Publishing it fails.
	Err error
}

func (t Target) String() string { return t.Ref }

// Member is an entry's image for one architecture.
type Member struct {
	Arch     string           // bashbrew architecture, such as "arm64v8"
	Platform string           // its OCI platform, such as "linux/arm64/v8"
	Entry    scheduler.Origin // the entry it comes from
	Job      *scheduler.Job   // the job that builds it
	Status   scheduler.Status // how the job ended
	// Image is the staged image, pinned by digest
	// ("host/staging-arm64v8@sha256:…"): a manifest, or an index of one
	// manifest for Arch and its attestations. Empty when Missing.
	Image string
	Err   error // why it is missing
}

// Targets returns the indexes to write for the jobs of report: one for
// every tag of every entry, and one for every shared tag, combining the
// images of the entries that carry it; and for each of them, one per
// architecture in opts.ArchNamespaces. An architecture that was never
// planned, or was skipped because no worker builds it, is left out
// silently; one whose job failed, was skipped or cancelled is Missing.
//
// Two different jobs giving one tag the same architecture (a
// [scheduler.TagConflict]: entries give a shared tag the same arch from
// different sources) fail that target, and its copy in that arch's
// namespace, with Err naming the entries; the other targets are not
// affected. windows-amd64 is not checked: a shared tag combines one image
// per Windows version (os.version) as official-images intends, and the
// index rejects two images of the same version.
func Targets(report *scheduler.Report, opts Options) ([]Target, error) {
	if err := CheckOptions(opts); err != nil {
		return nil, err
	}
	registry, namespace, _ := splitTo(opts.To)
	conflicts := conflictsByTag(report)
	var targets []Target
	for _, t := range tags(report, opts.Partial, conflicts) {
		t.Ref = path.Join(registry, namespace) + "/" + t.Ref
		targets = append(targets, t)
		targets = append(targets, archTargets(t, registry, opts, conflicts[t.Repo+":"+t.Tag])...)
	}
	return targets, nil
}

// Tags returns the tags and shared tags of report as [Targets] does, but
// for no registry: each Ref is "repo:tag", and there are no copies in arch
// namespaces. Their Members, Missing, Blocked and Err are as in Targets,
// partial standing for [Options.Partial]. An OCI image layout written
// without a registry (package builder's Layout.Tag) writes these, so that
// a tag is blocked, or partial, on the same terms wherever it goes.
func Tags(report *scheduler.Report, partial bool) []Target {
	return tags(report, partial, conflictsByTag(report))
}

// tags returns a target per tag of report, with "repo:tag" as Ref and
// failed by the conflicts of its tag.
func tags(report *scheduler.Report, partial bool, conflicts map[string][]scheduler.TagConflict) []Target {
	var targets []Target
	for _, g := range groupTags(collectEntries(report)) {
		t := g.target(partial)
		if t == nil {
			continue
		}
		t.Err = conflictErr(conflicts[g.repo+":"+g.tag], "")
		targets = append(targets, *t)
	}
	return targets
}

// CheckOptions checks opts as [Targets] does, so that a caller can refuse
// them before building anything: To must be "REGISTRY/NAMESPACE" that
// names repositories, and each arch namespace a namespace.
func CheckOptions(opts Options) error {
	registry, namespace, err := splitTo(opts.To)
	if err != nil {
		return err
	}
	if _, err := name.NewRepository(path.Join(registry, namespace, "repo"), name.StrictValidation); err != nil {
		return fmt.Errorf("publishing to %q: want \"REGISTRY/NAMESPACE\", such as \"127.0.0.1:5000/library\": %w", opts.To, err)
	}
	for arch, ns := range opts.ArchNamespaces {
		if ns == "" || strings.Contains(ns, ":") {
			return fmt.Errorf("arch namespace %q for %s: want a namespace such as %q", ns, arch, arch)
		}
		if _, err := name.NewRepository(path.Join(registry, ns, "repo"), name.StrictValidation); err != nil {
			return fmt.Errorf("arch namespace %q for %s: %w", ns, arch, err)
		}
	}
	return nil
}

// conflictsByTag returns the [scheduler.TagConflicts] of the jobs of
// report that give their tags an image, by "repo:tag": not those skipped
// because no worker builds their arch.
func conflictsByTag(report *scheduler.Report) map[string][]scheduler.TagConflict {
	var jobs []*scheduler.Job
	for _, o := range report.Outcomes {
		if o.Status != scheduler.Skipped || !errors.Is(o.Err, scheduler.ErrNoWorker) {
			jobs = append(jobs, o.Job)
		}
	}
	byTag := map[string][]scheduler.TagConflict{}
	for _, c := range scheduler.TagConflicts(jobs) {
		byTag[c.Repo+":"+c.Tag] = append(byTag[c.Repo+":"+c.Tag], c)
	}
	return byTag
}

// conflictErr joins the conflicts of cs for arch, or all of them when
// arch is "".
func conflictErr(cs []scheduler.TagConflict, arch string) error {
	var errs []error
	for _, c := range cs {
		if arch == "" || c.Arch == arch {
			errs = append(errs, c)
		}
	}
	return errors.Join(errs...)
}

// splitTo splits "REGISTRY/NAMESPACE" the way Docker names do.
func splitTo(to string) (registry, namespace string, err error) {
	to = strings.Trim(to, "/")
	if to == "" {
		return "", "", errors.New(`no registry to publish to: want "REGISTRY/NAMESPACE", such as "127.0.0.1:5000/library"`)
	}
	first, rest, _ := strings.Cut(to, "/")
	if !strings.ContainsAny(first, ".:") && first != "localhost" {
		return "docker.io", to, nil
	}
	return first, rest, nil
}

// archTargets are t for each architecture of opts.ArchNamespaces it holds,
// in the arch's namespace; failed by those of cs for that arch.
func archTargets(t Target, registry string, opts Options, cs []scheduler.TagConflict) []Target {
	var out []Target
	seen := map[string]bool{}
	for _, m := range append(append([]Member(nil), t.Members...), t.Missing...) {
		ns, ok := opts.ArchNamespaces[m.Arch]
		if !ok || seen[m.Arch] {
			continue
		}
		seen[m.Arch] = true
		a := t
		a.Arch = m.Arch
		a.Ref = path.Join(registry, ns, t.Repo) + ":" + t.Tag
		a.Members, a.Missing, a.Entries = ofArch(t.Members, m.Arch), ofArch(t.Missing, m.Arch), nil
		for _, m := range append(append([]Member(nil), a.Members...), a.Missing...) {
			a.Entries = appendOrigin(a.Entries, m.Entry)
		}
		a.Blocked = len(a.Members) == 0 || len(a.Missing) > 0 && !opts.Partial
		a.Err = conflictErr(cs, m.Arch)
		out = append(out, a)
	}
	return out
}

func ofArch(ms []Member, arch string) []Member {
	var out []Member
	for _, m := range ms {
		if m.Arch == arch {
			out = append(out, m)
		}
	}
	return out
}

func appendOrigin(os []scheduler.Origin, o scheduler.Origin) []scheduler.Origin {
	for _, e := range os {
		if sameEntry(e, o) {
			return os
		}
	}
	return append(os, o)
}

func sameEntry(a, b scheduler.Origin) bool { return a.File == b.File && a.Line == b.Line }
