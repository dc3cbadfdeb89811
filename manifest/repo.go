package manifest

import "path"

// Repo is a manifest as a user named it: a whole repository ("golang") or
// one tag of it ("golang:1.22"). It is the data model of bashbrew's
// templates, so its field and method names are bashbrew's.
type Repo struct {
	File     string    // the file or URL it was read from
	RepoName string    // "golang"
	TagName  string    // "1.22", or "" for the whole repository
	Manifest *Manifest // the parsed file

	// TagEntry is the entry TagName names; for a shared tag, the first of
	// the entries carrying it. Nil when TagName is "".
	TagEntry *Entry
	// TagEntries is every entry TagName names: one for a tag, all the
	// carriers for a shared tag.
	TagEntries []*Entry
}

// Entries returns the entries the repo names: all of them, or those of the tag.
func (r *Repo) Entries() []*Entry {
	if r.TagName != "" {
		return r.TagEntries
	}
	out := make([]*Entry, len(r.Manifest.Entries))
	for i := range r.Manifest.Entries {
		out[i] = &r.Manifest.Entries[i]
	}
	return out
}

// Tags returns "[namespace/]repo:tag" for every tag and shared tag of entry;
// with uniq, only for its first tag.
func (r *Repo) Tags(namespace string, uniq bool, entry *Entry) []string {
	name := path.Join(namespace, r.RepoName)
	tags := make([]string, 0, len(entry.Tags)+len(entry.SharedTags))
	for _, t := range entry.Tags {
		tags = append(tags, name+":"+t)
		if uniq {
			return tags
		}
	}
	for _, t := range entry.SharedTags {
		tags = append(tags, name+":"+t)
	}
	return tags
}

// EntryIdentifier is "repo:first-tag", the name bashbrew uses for an entry.
func (r *Repo) EntryIdentifier(entry *Entry) string {
	return r.RepoName + ":" + entry.Tags[0]
}

// Identifier is the EntryIdentifier of TagEntry, or the repository name.
func (r *Repo) Identifier() string {
	if r.TagEntry != nil {
		return r.EntryIdentifier(r.TagEntry)
	}
	return r.RepoName
}

// selectTag fills TagEntry and TagEntries for TagName.
func (r *Repo) selectTag() bool {
	if e := r.Manifest.GetTag(r.TagName); e != nil {
		r.TagEntry, r.TagEntries = e, []*Entry{e}
		return true
	}
	r.TagEntries = r.Manifest.GetSharedTag(r.TagName)
	if len(r.TagEntries) == 0 {
		return false
	}
	r.TagEntry = r.TagEntries[0]
	return true
}
