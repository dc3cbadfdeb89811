package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// realFile is one library file of the real library.
type realFile struct {
	name string
	text string
	m    *manifest.Manifest
}

// srcKey is one build source of the real library: what a synthetic
// commit must hold. An oci-import source is per arch (its layout holds
// one image).
type srcKey struct {
	repo, commit, dir, file string
	oci                     string // the arch of an oci-import source; "" for a Dockerfile
}

// source is a srcKey with what uses it.
type source struct {
	srcKey
	fetches []string // the GitFetch refs it is used with
	arches  []string // the architectures built from it
	owner   string   // the first entry using it: its repository
	tags    []string // and tags
	from    string   // the synthetic Dockerfile's FROM
}

// readLibrary parses every file of dir, sorted by name.
func readLibrary(dir string) ([]*realFile, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*realFile
	for _, n := range names {
		if n.IsDir() || strings.HasPrefix(n.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, n.Name()))
		if err != nil {
			return nil, err
		}
		m, err := manifest.ParseString("library/"+n.Name(), string(data))
		if err != nil {
			return nil, err
		}
		files = append(files, &realFile{name: n.Name(), text: string(data), m: m})
	}
	return files, nil
}

// linuxArches are e's architectures but Windows.
func linuxArches(e *manifest.Entry) []string {
	var out []string
	for _, a := range e.Architectures {
		if !strings.HasPrefix(a, "windows-") {
			out = append(out, a)
		}
	}
	return out
}

// collectSources lists every source of files' entries (Windows left
// out), in a stable order.
func collectSources(files []*realFile) ([]*source, error) {
	byKey := map[srcKey]*source{}
	var out []*source
	for _, f := range files {
		for i := range f.m.Entries {
			e := &f.m.Entries[i]
			for _, arch := range linuxArches(e) {
				k := srcKey{repo: e.ArchGitRepo(arch), commit: e.ArchGitCommit(arch), dir: e.ArchDirectory(arch), file: e.ArchFile(arch)}
				if b, _ := scheduler.NormalizeBuilder(e.ArchBuilder(arch), arch); b == scheduler.BuilderOCIImport {
					k.oci = arch
				}
				if err := checkPath(k.dir, k.file); err != nil {
					return nil, fmt.Errorf("library/%s: %s: %w", f.name, e.Tags[0], err)
				}
				s := byKey[k]
				if s == nil {
					s = &source{srcKey: k, owner: f.name, tags: e.Tags}
					byKey[k] = s
					out = append(out, s)
				}
				if fetch := e.ArchGitFetch(arch); !slices.Contains(s.fetches, fetch) {
					s.fetches = append(s.fetches, fetch)
				}
				if !slices.Contains(s.arches, arch) {
					s.arches = append(s.arches, arch)
				}
			}
		}
	}
	return out, nil
}

// checkPath refuses the directories and files a fast-import path cannot
// carry as they are.
func checkPath(dir, file string) error {
	for _, p := range []string{dir, file} {
		if strings.ContainsAny(p, " \t\n\"\\") || strings.Contains(p, "..") || strings.HasPrefix(p, "/") {
			return fmt.Errorf("unsupported Directory or File %q", p)
		}
	}
	return nil
}

// tagIndex is the architectures of each "repo:tag" of the library.
type tagIndex map[string][]string

func indexTags(files []*realFile) tagIndex {
	ix := tagIndex{}
	for _, f := range files {
		for i := range f.m.Entries {
			e := &f.m.Entries[i]
			for _, t := range e.Tags {
				ix[f.name+":"+t] = linuxArches(e)
			}
		}
	}
	return ix
}

// fromStats counts how the FROMs were chosen.
type fromStats struct {
	library   int // a tag of the library
	noRule    int // no candidate: scratch
	noArch    int // candidates, none with every arch: scratch
	oci       int // oci-import: no Dockerfile
	byRepo    map[string]int
	uncovered map[string]int // the candidates refused for lack of an arch, by candidate
}

// chooseFroms sets every Dockerfile source's FROM.
func chooseFroms(sources []*source, ix tagIndex) fromStats {
	st := fromStats{byRepo: map[string]int{}, uncovered: map[string]int{}}
	for _, s := range sources {
		if s.oci != "" {
			st.oci++
			continue
		}
		s.from = "scratch"
		cands := parentCandidates(s.owner, s.tags)
		if len(cands) == 0 {
			st.noRule++
			continue
		}
		for _, c := range cands {
			arches, ok := ix[c]
			if !ok || c == s.owner+":"+s.tags[0] {
				continue
			}
			if !covers(arches, s.arches) {
				st.uncovered[c]++
				continue
			}
			s.from = c
			break
		}
		if s.from == "scratch" {
			st.noArch++
			continue
		}
		st.library++
		st.byRepo[strings.Split(s.from, ":")[0]]++
	}
	return st
}

func covers(have, want []string) bool {
	for _, a := range want {
		if !slices.Contains(have, a) {
			return false
		}
	}
	return true
}

// rewrite is the synthetic library file of text: GitRepo and GitCommit
// values replaced (repos maps a real GitRepo to its synthetic one,
// commits a real commit to its synthetic one), windows-* dropped from
// Architectures with the Constraints and windows-* lines, and a paragraph
// left without an architecture dropped.
func rewrite(text string, repos, commits map[string]string) (string, int, error) {
	paras := splitParagraphs(text)
	globalArches := []string{"amd64"}
	dropped, skipBlank := 0, false
	var out []string
	for i, p := range paras {
		if !p.hasFields() {
			if skipBlank && len(p.lines) == 1 && strings.TrimSpace(p.lines[0]) == "" {
				skipBlank = false
				continue
			}
			out = append(out, p.lines...)
			continue
		}
		skipBlank = false
		var kept []string
		arches := globalArches
		for _, f := range p.fields() {
			key, val := f.key, f.value
			lower := strings.ToLower(key)
			switch {
			case lower == "constraints" || strings.HasPrefix(lower, "windows-"):
				continue
			case lower == "architectures":
				arches = nil
				for _, a := range strings.Split(val, ",") {
					if a = strings.TrimSpace(a); a != "" && !strings.HasPrefix(a, "windows-") {
						arches = append(arches, a)
					}
				}
				f.lines = []string{key + ": " + strings.Join(arches, ", ")}
			case lower == "gitrepo" || strings.HasSuffix(lower, "-gitrepo"):
				r, ok := repos[val]
				if !ok {
					return "", 0, fmt.Errorf("no synthetic repository for %s", val)
				}
				f.lines = []string{key + ": " + r}
			case lower == "gitcommit" || strings.HasSuffix(lower, "-gitcommit"):
				c, ok := commits[val]
				if !ok {
					return "", 0, fmt.Errorf("no synthetic commit for %s", val)
				}
				f.lines = []string{key + ": " + c}
			}
			kept = append(append(kept, f.pre...), f.lines...)
		}
		if i == p.firstFields {
			globalArches = arches
		} else if len(arches) == 0 {
			dropped++
			skipBlank = true // the blank line after it
			continue
		}
		out = append(out, kept...)
	}
	return strings.Join(out, "\n"), dropped, nil
}

// paragraph is a run of lines between blank lines.
type paragraph struct {
	lines       []string
	firstFields int // the index of the first paragraph with fields (the global one)
}

type field struct {
	key, value string
	pre        []string // the comments before it
	lines      []string // its line and continuation lines
}

func (p paragraph) hasFields() bool {
	for _, l := range p.lines {
		if l != "" && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}

// fields splits p into fields; a comment goes with the field after it.
func (p paragraph) fields() []*field {
	var out []*field
	var pending []string
	for _, l := range p.lines {
		switch {
		case strings.HasPrefix(l, "#") || l == "":
			pending = append(pending, l)
		case strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t"):
			if len(out) == 0 {
				pending = append(pending, l)
				continue
			}
			f := out[len(out)-1]
			f.lines = append(f.lines, l)
			f.value += " " + strings.TrimSpace(l)
		default:
			key, val, _ := strings.Cut(l, ":")
			out = append(out, &field{key: strings.TrimSpace(key), value: strings.TrimSpace(val), pre: pending, lines: []string{l}})
			pending = nil
		}
	}
	if len(pending) > 0 {
		out = append(out, &field{pre: pending})
	}
	return out
}

// splitParagraphs splits text at blank lines; the blank lines are
// paragraphs of their own, so that joining gives text back.
func splitParagraphs(text string) []paragraph {
	var out []paragraph
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, paragraph{lines: cur})
			cur = nil
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			flush()
			out = append(out, paragraph{lines: []string{l}})
			continue
		}
		cur = append(cur, l)
	}
	flush()
	first := -1
	for i, p := range out {
		if p.hasFields() {
			first = i
			break
		}
	}
	for i := range out {
		out[i].firstFields = first
	}
	return out
}

// sortedKeys returns m's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
