package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/brewkit/brewkit/manifest"
)

// summary is what generate made.
type summary struct {
	out                          string
	files, entries, synthEntries int
	dropped                      int // paragraphs left without an architecture
	tags, sharedTags, jobs       int // jobs: entry x arch, Windows left out
	arches                       map[string]int
	repos, commits               int
	dockerfiles, layouts         int
	froms                        fromStats
}

func (s *summary) print(w io.Writer) {
	fmt.Fprintf(w, "synthetic official-images: %s\n", filepath.Join(s.out, "official-images"))
	fmt.Fprintf(w, "library: %d files, %d entries of the real %d (%d paragraphs without a Linux arch dropped), %d tags, %d shared tags\n",
		s.files, s.synthEntries, s.entries, s.dropped, s.tags, s.sharedTags)
	fmt.Fprintf(w, "entry x arch: %d (Windows left out):", s.jobs)
	for _, a := range sortedKeys(s.arches) {
		fmt.Fprintf(w, " %s %d", a, s.arches[a])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sources: %d repositories in %s, %d commits, %d Dockerfiles, %d OCI layouts\n",
		s.repos, filepath.Join(s.out, "repos"), s.commits, s.dockerfiles, s.layouts)
	f := s.froms
	fmt.Fprintf(w, "FROMs: %d a library tag, %d scratch (%d no parent known, %d no parent with every arch)\n",
		f.library, f.noRule+f.noArch, f.noRule, f.noArch)
	parents := sortedKeys(f.byRepo)
	sort.SliceStable(parents, func(i, j int) bool { return f.byRepo[parents[i]] > f.byRepo[parents[j]] })
	fmt.Fprint(w, "FROM repositories:")
	for _, p := range parents {
		fmt.Fprintf(w, " %s %d", p, f.byRepo[p])
	}
	fmt.Fprintln(w)
}

// generate makes the synthetic repositories in out from the library in
// libDir.
func generate(libDir, out string, when time.Time) (*summary, error) {
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s is not empty", out)
	}
	files, err := readLibrary(libDir)
	if err != nil {
		return nil, err
	}
	sources, err := collectSources(files)
	if err != nil {
		return nil, err
	}
	sum := &summary{out: out, files: len(files), froms: chooseFroms(sources, indexTags(files))}
	repos := map[string]*synthRepo{}
	taken := map[string]bool{}
	repo := func(url string) *synthRepo {
		r := repos[url]
		if r == nil {
			name := slug(url)
			for i := 2; taken[name]; i++ {
				name = fmt.Sprintf("%s-%d", slug(url), i)
			}
			taken[name] = true
			r = &synthRepo{url: url, path: filepath.Join(out, "repos", name+".git"), commits: map[string]*synthCommit{}}
			repos[url] = r
		}
		return r
	}
	commit := func(r *synthRepo, real, fetch string) *synthCommit {
		c := r.commits[real]
		if c == nil {
			c = &synthCommit{real: real, files: map[string][]byte{"SYNTHETIC": fmt.Appendf(nil, "synthetic copy of %s at %s\n", r.url, real)}}
			r.commits[real] = c
		}
		if !slices.Contains(c.fetches, fetch) {
			c.fetches = append(c.fetches, fetch)
			slices.Sort(c.fetches)
		}
		return c
	}
	for _, s := range sources {
		r := repo(s.repo)
		for _, fetch := range s.fetches {
			commit(r, s.commit, fetch)
		}
		if err := addSource(r.commits[s.commit], s, when, sum); err != nil {
			return nil, err
		}
	}
	for _, f := range files { // commits named only by paragraphs without a source (Windows ones, unused defaults)
		urls, named := gitLines(f.text)
		for _, url := range urls {
			repo(url)
		}
		for _, rc := range named {
			if r := repo(rc[0]); r.commits[rc[1]] == nil {
				commit(r, rc[1], "refs/heads/master")
			}
		}
	}
	commits, repoPaths, err := writeRepos(repos, when)
	if err != nil {
		return nil, err
	}
	sum.repos, sum.commits = len(repos), len(commits)
	if err := writeLibrary(files, out, repoPaths, commits, when, sum); err != nil {
		return nil, err
	}
	return sum, nil
}

// addSource adds s's files to c: a Dockerfile and the file it copies, or
// an OCI layout.
func addSource(c *synthCommit, s *source, when time.Time, sum *summary) error {
	unique := fmt.Sprintf("synthetic source %s %s %s %s %s\n", s.repo, s.commit, s.dir, s.file, s.oci)
	if s.oci != "" {
		layout, err := ociLayout(s.dir, s.file, s.oci, unique, when)
		if err != nil {
			return err
		}
		for p, data := range layout {
			if err := c.addFile(p, data); err != nil {
				return err
			}
		}
		sum.layouts++
		return nil
	}
	h := sha256.Sum256([]byte(unique))
	df := fmt.Sprintf("FROM %s\nCOPY %s.synth /synth/%s\n", s.from, s.file, hex.EncodeToString(h[:8]))
	if err := c.addFile(path.Join(s.dir, s.file), []byte(df)); err != nil {
		return err
	}
	sum.dockerfiles++
	return c.addFile(path.Join(s.dir, s.file+".synth"), []byte(unique))
}

// writeRepos makes every synthetic repository, in URL order, and returns
// the synthetic commit of each real one and the path of each repository.
func writeRepos(repos map[string]*synthRepo, when time.Time) (map[string]string, map[string]string, error) {
	commits, paths := map[string]string{}, map[string]string{}
	for _, url := range sortedKeys(repos) {
		r := repos[url]
		paths[url] = r.path
		if err := os.MkdirAll(r.path, 0o755); err != nil {
			return nil, nil, err
		}
		if err := git(r.path, "init", "--bare", "-q"); err != nil {
			return nil, nil, err
		}
		// fetching a commit by id, as brewkit does first, needs no ref
		if err := git(r.path, "config", "uploadpack.allowAnySHA1InWant", "true"); err != nil {
			return nil, nil, err
		}
		var list []*synthCommit
		for _, real := range sortedKeys(r.commits) {
			list = append(list, r.commits[real])
		}
		if err := fastImport(r.path, list, when, func(c *synthCommit) string { return "synthetic copy of " + c.real + "\n" }); err != nil {
			return nil, nil, err
		}
		for _, c := range list {
			if prev, ok := commits[c.real]; ok && prev != c.sha {
				return nil, nil, fmt.Errorf("commit %s is in two repositories", c.real)
			}
			commits[c.real] = c.sha
		}
	}
	return commits, paths, nil
}

// writeLibrary writes the rewritten library files into the
// official-images repository, commits them on main and checks them out,
// then checks their shape against the real files.
func writeLibrary(files []*realFile, out string, repos, commits map[string]string, when time.Time, sum *summary) error {
	dir := filepath.Join(out, "official-images")
	c := &synthCommit{real: "library", fetches: []string{"refs/heads/main"}, files: map[string][]byte{
		"README.md": []byte("A synthetic official-images repository made by brewkit's hack/bench/synthlib.\n"),
	}}
	synth := map[string]string{}
	for _, f := range files {
		text, dropped, err := rewrite(f.text, repos, commits)
		if err != nil {
			return fmt.Errorf("library/%s: %w", f.name, err)
		}
		sum.dropped += dropped
		synth[f.name] = text
		c.files["library/"+f.name] = []byte(text)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"config", "user.name", authorName}, {"config", "user.email", authorEmail}} {
		if err := git(dir, args...); err != nil {
			return err
		}
	}
	if err := fastImport(dir, []*synthCommit{c}, when, func(*synthCommit) string { return "synthetic library\n" }); err != nil {
		return err
	}
	if err := git(dir, "reset", "-q", "--hard"); err != nil {
		return err
	}
	return checkShape(files, synth, commits, sum)
}

// checkShape parses the synthetic files and checks that every real entry
// is there with its tags, shared tags, Linux arches, fetch refs,
// directories, files and builders, and its commits mapped.
func checkShape(files []*realFile, synth map[string]string, commits map[string]string, sum *summary) error {
	sum.arches = map[string]int{}
	for _, f := range files {
		m, err := manifest.ParseString("library/"+f.name, synth[f.name])
		if err != nil {
			return fmt.Errorf("the synthetic file does not parse: %w", err)
		}
		sum.synthEntries += len(m.Entries)
		for i := range m.Entries {
			e := &m.Entries[i]
			sum.tags += len(e.Tags)
			sum.sharedTags += len(e.SharedTags)
			for _, a := range e.Architectures {
				sum.arches[a]++
				sum.jobs++
			}
		}
		for i := range f.m.Entries {
			re := &f.m.Entries[i]
			sum.entries++
			arches := linuxArches(re)
			if len(arches) == 0 {
				continue
			}
			se := m.GetTag(re.Tags[0])
			switch {
			case se == nil:
				return fmt.Errorf("library/%s: %s is missing", f.name, re.Tags[0])
			case !slices.Equal(se.Tags, re.Tags) || !slices.Equal(se.SharedTags, re.SharedTags) || !slices.Equal(se.Architectures, arches):
				return fmt.Errorf("library/%s: %s: tags, shared tags or arches differ: %v %v %v", f.name, re.Tags[0], se.Tags, se.SharedTags, se.Architectures)
			}
			for _, a := range arches {
				if se.ArchGitFetch(a) != re.ArchGitFetch(a) || se.ArchDirectory(a) != re.ArchDirectory(a) || se.ArchFile(a) != re.ArchFile(a) ||
					se.ArchBuilder(a) != re.ArchBuilder(a) || se.ArchGitCommit(a) != commits[re.ArchGitCommit(a)] {
					return fmt.Errorf("library/%s: %s %s: source differs", f.name, re.Tags[0], a)
				}
			}
		}
	}
	return nil
}

// gitLines lists the values of the GitRepo lines of a library file, and
// the (GitRepo, GitCommit) of its GitCommit lines.
func gitLines(text string) (urls []string, out [][2]string) {
	global := ""
	first := true
	for _, p := range splitParagraphs(text) {
		if !p.hasFields() {
			continue
		}
		fields := p.fields()
		repo := global
		for _, f := range fields {
			if strings.EqualFold(f.key, "GitRepo") {
				repo = f.value
			}
			if lower := strings.ToLower(f.key); lower == "gitrepo" || strings.HasSuffix(lower, "-gitrepo") {
				urls = append(urls, f.value)
			}
		}
		if first {
			global, first = repo, false
		}
		for _, f := range fields {
			lower := strings.ToLower(f.key)
			if lower != "gitcommit" && !strings.HasSuffix(lower, "-gitcommit") {
				continue
			}
			r := repo
			for _, g := range fields {
				if arch, ok := strings.CutSuffix(lower, "-gitcommit"); ok && strings.EqualFold(g.key, arch+"-GitRepo") {
					r = g.value
				}
			}
			out = append(out, [2]string{r, f.value})
		}
	}
	return urls, out
}

// slug names the synthetic repository of a GitRepo URL.
func slug(url string) string {
	s := strings.TrimSuffix(strings.TrimSuffix(url, "/"), ".git")
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}
