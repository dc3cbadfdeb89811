package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/brewkit/brewkit/manifest"
)

// LatestTags is naughty.sh's "latest" check: a tag or shared tag that
// contains "latest" but is not "latest" (bashbrew list | grep -E
// ':.+latest.*|:.*latest.+'). Each such tag is one finding, at the line
// of the Tags or SharedTags field that holds it.
func LatestTags(r *manifest.Repo) []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, e := range r.Entries() {
		for _, field := range []string{"Tags", "SharedTags"} {
			tags, kind := e.Tags, "tag"
			if field == "SharedTags" {
				tags, kind = e.SharedTags, "shared tag"
			}
			for _, t := range tags {
				if t == "latest" || !strings.Contains(t, "latest") || seen[t] {
					continue
				}
				seen[t] = true
				out = append(out, Finding{
					Rule: RuleLatestTag, File: r.File, Line: e.FieldLine(field), Tag: r.RepoName + ":" + t,
					Message: fmt.Sprintf(`%s %q contains "latest": "latest" may only be a tag of its own, `+
						`never part of another (rename it, such as %q, or use "latest" alone; `+
						`see https://github.com/docker-library/official-images#tags-and-aliases)`,
						kind, t, suggestLatest(t)),
				})
			}
		}
	}
	return out
}

// suggestLatest drops "latest" and the separators around it: "1.2-latest"
// becomes "1.2", "latest-alpine" becomes "alpine".
func suggestLatest(t string) string {
	s := strings.ReplaceAll(t, "latest", "")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	s = strings.Trim(s, "-._")
	if s == "" {
		return "latest"
	}
	return s
}

// SharedTags is naughty-sharedtags.sh: a shared tag (repo:tag) that two or
// more entries give the same architecture, so that its index would hold
// two images of one platform. windows-amd64 is exempt: several Windows
// versions under one shared tag is what shared tags are for. Each shared
// tag and architecture is one finding, at the SharedTags line of the
// second entry that gives it the architecture.
func SharedTags(r *manifest.Repo) []Finding {
	type carrier struct {
		e    *manifest.Entry
		tag  string // the entry's first tag
		line int
	}
	byTag := map[string][]carrier{}
	var order []string
	for _, e := range r.Entries() {
		for _, t := range e.SharedTags {
			if _, ok := byTag[t]; !ok {
				order = append(order, t)
			}
			byTag[t] = append(byTag[t], carrier{e, e.Tags[0], e.FieldLine("SharedTags")})
		}
	}
	var out []Finding
	for _, t := range order {
		carriers := byTag[t]
		var arches []string
		for _, c := range carriers {
			arches = append(arches, c.e.Architectures...)
		}
		slices.Sort(arches)
		arches = slices.Compact(arches)
		for _, arch := range arches {
			if arch == "windows-amd64" {
				continue
			}
			var who []carrier
			for _, c := range carriers {
				if c.e.HasArchitecture(arch) {
					who = append(who, c)
				}
			}
			if len(who) < 2 {
				continue
			}
			names := make([]string, len(who))
			for i, c := range who {
				names[i] = fmt.Sprintf("%q (line %d)", c.tag, c.e.Line())
			}
			out = append(out, Finding{
				Rule: RuleSharedTags, File: r.File, Line: who[1].line, Tag: r.RepoName + ":" + t, Arch: arch,
				Message: fmt.Sprintf("shared tag %q gets %s from %d entries: %s; a shared tag may take each architecture "+
					"from one entry only (windows-amd64 aside): keep %q in the SharedTags of one of them, or drop %s from the Architectures of the others "+
					"(see https://github.com/docker-library/faq#whats-the-difference-between-shared-and-simple-tags)",
					t, arch, len(who), strings.Join(names, ", "), t, arch),
			})
		}
	}
	return out
}
