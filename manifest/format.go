package manifest

import (
	"strings"
)

// String is the canonical text of the file, as bashbrew cat prints it: the
// global paragraph without default values, then each entry without the
// values it shares with the global paragraph, separated by empty lines.
func (m *Manifest) String() string {
	parts := make([]string, 0, len(m.Entries)+1)
	parts = append(parts, m.Global.ClearDefaults(DefaultEntry()).String())
	for _, e := range m.Entries {
		parts = append(parts, e.ClearDefaults(m.Global).String())
	}
	return strings.Join(parts, "\n\n")
}

// ClearDefaults returns a copy of e without the values equal to those of
// defaults.
func (e Entry) ClearDefaults(defaults Entry) Entry {
	e = e.Clone()
	if e.MaintainersString() == defaults.MaintainersString() {
		e.Maintainers = nil
	}
	if e.TagsString() == defaults.TagsString() {
		e.Tags = nil
	}
	if e.SharedTagsString() == defaults.SharedTagsString() {
		e.SharedTags = nil
	}
	if e.ArchitecturesString() == defaults.ArchitecturesString() {
		e.Architectures = nil
	}
	for _, k := range []key{keyGitRepo, keyGitFetch, keyGitCommit, keyDirectory, keyFile, keyBuilder} {
		if *e.str(k) == *defaults.str(k) {
			*e.str(k) = ""
		}
	}
	for _, k := range defaults.archFields() {
		if defaults.ArchValues[k] == e.ArchValues[k] {
			delete(e.ArchValues, k)
		}
	}
	if e.ConstraintsString() == defaults.ConstraintsString() {
		e.Constraints = nil
	}
	return e
}

// String is the entry as a paragraph: every non-empty field, one per line,
// in the canonical order.
func (e Entry) String() string {
	var sb strings.Builder
	line := func(name, value string) {
		if value == "" {
			return
		}
		if sb.Len() > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(name)
		sb.WriteString(": ")
		sb.WriteString(value)
	}
	line("Maintainers", e.MaintainersString())
	line("Tags", e.TagsString())
	line("SharedTags", e.SharedTagsString())
	line("Architectures", e.ArchitecturesString())
	line("GitRepo", e.GitRepo)
	line("GitFetch", e.GitFetch)
	line("GitCommit", e.GitCommit)
	line("Directory", e.Directory)
	line("File", e.File)
	line("Builder", e.Builder)
	for _, k := range e.archFields() {
		line(k, e.ArchValues[k])
	}
	line("Constraints", e.ConstraintsString())
	return sb.String()
}
