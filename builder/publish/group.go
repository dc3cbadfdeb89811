package publish

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// entry is a library entry of a report, with the outcomes of its arches.
type entry struct {
	origin  scheduler.Origin
	arches  []string // in the order first seen
	byArch  map[string][]*scheduler.Outcome
	fileIdx int // the order of its file in the report
}

// collectEntries returns the entries the jobs of report build, in library
// order (files as first seen, entries by line).
func collectEntries(report *scheduler.Report) []*entry {
	byKey := map[string]*entry{}
	files := map[string]int{}
	var entries []*entry
	for _, o := range report.Outcomes {
		for _, origin := range o.Job.Origins {
			key := fmt.Sprintf("%s\x00%d", origin.File, origin.Line)
			e, ok := byKey[key]
			if !ok {
				if _, ok := files[origin.File]; !ok {
					files[origin.File] = len(files)
				}
				e = &entry{origin: origin, byArch: map[string][]*scheduler.Outcome{}, fileIdx: files[origin.File]}
				byKey[key] = e
				entries = append(entries, e)
			}
			if len(e.byArch[o.Job.Arch]) == 0 {
				e.arches = append(e.arches, o.Job.Arch)
			}
			if !slices.Contains(e.byArch[o.Job.Arch], o) {
				e.byArch[o.Job.Arch] = append(e.byArch[o.Job.Arch], o)
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(a.fileIdx, b.fileIdx), cmp.Compare(a.origin.Line, b.origin.Line))
	})
	return entries
}

// tagGroup is a repo:tag and the entries that carry it: one for a tag,
// every carrier for a shared tag.
type tagGroup struct {
	repo, tag string
	shared    bool
	entries   []*entry
}

// groupTags returns a group per repo:tag: the tags of each entry in
// library order, then the shared tags in the order first seen.
func groupTags(entries []*entry) []*tagGroup {
	byRef := map[string]*tagGroup{}
	var tags, shared []*tagGroup
	add := func(list *[]*tagGroup, e *entry, tag string, isShared bool) {
		ref := e.origin.Repo + ":" + tag
		g, ok := byRef[ref]
		if !ok {
			g = &tagGroup{repo: e.origin.Repo, tag: tag, shared: isShared}
			byRef[ref] = g
			*list = append(*list, g)
		}
		g.shared = g.shared || isShared
		if !slices.Contains(g.entries, e) {
			g.entries = append(g.entries, e)
		}
	}
	for _, e := range entries {
		for _, t := range e.origin.Tags {
			add(&tags, e, t, false)
		}
		for _, t := range e.origin.SharedTags {
			add(&shared, e, t, true)
		}
	}
	return append(tags, shared...)
}

// target is the index of g, whose Ref is "repo:tag", or nil when none of
// its arches was planned and built or tried. Of two jobs that give it one
// arch (a [scheduler.TagConflict], which fails the target), the first is
// kept.
func (g *tagGroup) target(partial bool) *Target {
	t := &Target{Ref: g.repo + ":" + g.tag, Repo: g.repo, Tag: g.tag, Shared: g.shared}
	from := map[string]bool{} // the arches given so far
	jobs := map[*scheduler.Job]bool{}
	for _, e := range g.entries {
		t.Entries = append(t.Entries, e.origin)
		for _, arch := range e.arches {
			for _, o := range e.byArch[arch] {
				if jobs[o.Job] {
					continue // one build named by two entries
				}
				m, ok := member(e.origin, arch, o)
				if !ok || from[arch] && !strings.HasPrefix(arch, "windows-") {
					continue
				}
				jobs[o.Job], from[arch] = true, true
				if m.Image == "" {
					t.Missing = append(t.Missing, m)
				} else {
					t.Members = append(t.Members, m)
				}
			}
		}
	}
	if len(t.Members)+len(t.Missing) == 0 {
		return nil
	}
	sortMembers(t.Members)
	sortMembers(t.Missing)
	t.Blocked = len(t.Members) == 0 || len(t.Missing) > 0 && !partial
	return t
}

// member is the image o gives entry for arch; ok is false when the arch
// is simply not built (no worker builds it).
func member(origin scheduler.Origin, arch string, o *scheduler.Outcome) (m Member, ok bool) {
	m = Member{Arch: arch, Platform: o.Job.Platform, Entry: origin, Job: o.Job, Status: o.Status}
	if m.Platform == "" {
		if p, err := platforms.OCI(arch); err == nil {
			m.Platform = platforms.Format(p)
		}
	}
	switch o.Status {
	case scheduler.Built, scheduler.UpToDate:
		if o.Result.Ref == "" {
			m.Err = fmt.Errorf("%s: %s with no staged image", o.Job, o.Status)
			return m, true
		}
		m.Image = o.Result.Ref
		return m, true
	case scheduler.Skipped:
		if errors.Is(o.Err, scheduler.ErrNoWorker) {
			return m, false
		}
	}
	m.Err = o.Err
	if m.Err == nil {
		m.Err = errors.New(o.Status.String())
	}
	return m, true
}

// sortMembers orders ms by platform, as in the index; equal platforms
// (Windows images) stay in library order.
func sortMembers(ms []Member) {
	slices.SortStableFunc(ms, func(a, b Member) int {
		pa, _ := platforms.OCI(a.Arch)
		pb, _ := platforms.OCI(b.Arch)
		return platforms.Compare(pa, pb)
	})
}
