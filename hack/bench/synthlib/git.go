package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// synthRepo is the local repository made for one real GitRepo.
type synthRepo struct {
	url     string
	path    string                  // its bare repository
	commits map[string]*synthCommit // by real commit id
}

// synthCommit is the synthetic commit made for one real commit.
type synthCommit struct {
	real    string
	fetches []string          // the refs it must be reachable from, sorted
	files   map[string][]byte // its tree
	mark    int
	sha     string
}

// addFile adds a file to c, refusing a path given two contents.
func (c *synthCommit) addFile(p string, data []byte) error {
	if old, ok := c.files[p]; ok && !bytes.Equal(old, data) {
		return fmt.Errorf("commit %s: %s would have two contents", c.real, p)
	}
	c.files[p] = data
	return nil
}

const (
	authorName  = "synthlib"
	authorEmail = "synthlib@brewkit.invalid"
)

// fastImport writes commits into the repository at dir with one
// git fast-import, with fixed author and committer and date, and sets
// each commit's sha. Each ref (a branch or a tag) is a chain of the
// commits whose first ref it is, in the order given; a commit with more
// refs is merged into their chains, or the ref made to point at it.
func fastImport(dir string, commits []*synthCommit, when time.Time, message func(*synthCommit) string) error {
	var s bytes.Buffer
	sig := fmt.Sprintf("%s <%s> %d +0000", authorName, authorEmail, when.Unix())
	data := func(b []byte) { fmt.Fprintf(&s, "data %d\n", len(b)); s.Write(b); s.WriteByte('\n') }
	tips := map[string]int{}
	mark := 0
	var refs []string
	for _, c := range commits {
		if !slices.Contains(refs, c.fetches[0]) {
			refs = append(refs, c.fetches[0])
		}
	}
	slices.Sort(refs)
	for _, ref := range refs {
		for _, c := range commits {
			if c.fetches[0] != ref {
				continue
			}
			mark++
			c.mark = mark
			fmt.Fprintf(&s, "commit %s\nmark :%d\nauthor %s\ncommitter %s\n", ref, mark, sig, sig)
			data([]byte(message(c)))
			if t, ok := tips[ref]; ok {
				fmt.Fprintf(&s, "from :%d\n", t)
			}
			s.WriteString("deleteall\n")
			for _, p := range sortedKeys(c.files) {
				fmt.Fprintf(&s, "M 100644 inline %s\n", p)
				data(c.files[p])
			}
			s.WriteByte('\n')
			tips[ref] = mark
		}
	}
	for _, c := range commits {
		for _, ref := range c.fetches[1:] {
			t, ok := tips[ref]
			if !ok {
				fmt.Fprintf(&s, "reset %s\nfrom :%d\n\n", ref, c.mark)
				tips[ref] = c.mark
				continue
			}
			mark++
			fmt.Fprintf(&s, "commit %s\nmark :%d\nauthor %s\ncommitter %s\n", ref, mark, sig, sig)
			data([]byte("merge " + c.real + "\n"))
			fmt.Fprintf(&s, "from :%d\nmerge :%d\n\n", t, c.mark)
			tips[ref] = mark
		}
	}
	marks := filepath.Join(dir, "synthlib.marks")
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet", "--export-marks="+marks)
	cmd.Stdin = &s
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git fast-import in %s: %v: %s", dir, err, out)
	}
	defer os.Remove(marks)
	shas, err := readMarks(marks)
	if err != nil {
		return err
	}
	for _, c := range commits {
		if c.sha = shas[c.mark]; c.sha == "" {
			return fmt.Errorf("git fast-import in %s: no commit for mark %d", dir, c.mark)
		}
	}
	return nil
}

func readMarks(file string) (map[int]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[int]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m, sha, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.Atoi(strings.TrimPrefix(m, ":"))
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: bad line %q", file, sc.Text())
		}
		out[n] = sha
	}
	return out, sc.Err()
}

// git runs git in dir.
func git(dir string, args ...string) error {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}
