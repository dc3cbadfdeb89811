package sourcetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Repo is a git repository whose trees a test writes object by object,
// with git hash-object and git mktree: a tree may hold what git's own
// porcelain refuses to add or check out (a name listed twice, "..",
// ".git", a symlink and a directory under one name).
type Repo struct {
	t   testing.TB
	Dir string // the repository (non-bare, with no work tree files)
}

// NewRepo initializes a repository in dir, creating it if needed. Commits
// made by [Repo.Commit] are fetchable by id over any protocol.
func NewRepo(t testing.TB, dir string) *Repo {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Repo{t: t, Dir: dir}
	r.git(nil, "init", "--quiet", "--initial-branch=main")
	r.git(nil, "config", "uploadpack.allowAnySHA1InWant", "true")
	return r
}

// Node is one entry of a tree to write: build it with [File], [Exec],
// [Link] and [Dir].
type Node struct {
	Mode     string // git's: 100644, 100755, 120000 or 040000
	Name     string // one path component, written as given
	Content  string // a file's content or a symlink's target
	Children []Node // a directory's entries, written in this order
}

// File is a regular file.
func File(name, content string) Node { return Node{Mode: "100644", Name: name, Content: content} }

// Exec is an executable file.
func Exec(name, content string) Node { return Node{Mode: "100755", Name: name, Content: content} }

// Link is a symlink to target.
func Link(name, target string) Node { return Node{Mode: "120000", Name: name, Content: target} }

// Dir is a directory.
func Dir(name string, children ...Node) Node {
	return Node{Mode: "040000", Name: name, Children: children}
}

// Files turns paths ("a/b/c" → content, or a Node for a symlink or an
// executable, its Name ignored) into nested nodes, sorted by name.
func Files(files map[string]any) []Node {
	var nodes []Node
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		nodes = insert(nodes, strings.Split(name, "/"), files[name])
	}
	return nodes
}

// insert puts leaf at the path parts under nodes.
func insert(nodes []Node, parts []string, leaf any) []Node {
	if len(parts) == 1 {
		n, ok := leaf.(Node)
		if !ok {
			n = File("", fmt.Sprint(leaf))
		}
		n.Name = parts[0]
		return append(nodes, n)
	}
	for i := range nodes {
		if nodes[i].Name == parts[0] && nodes[i].Mode == "040000" {
			nodes[i].Children = insert(nodes[i].Children, parts[1:], leaf)
			return nodes
		}
	}
	return append(nodes, Dir(parts[0], insert(nil, parts[1:], leaf)...))
}

// Tree writes nodes as a tree object and returns its id. git mktree sorts
// the entries but checks nothing else: names listed twice, "..", ".git"
// are written as given.
func (r *Repo) Tree(nodes ...Node) string {
	r.t.Helper()
	var list bytes.Buffer
	for _, n := range nodes {
		var id, typ string
		switch n.Mode {
		case "040000":
			id, typ = r.Tree(n.Children...), "tree"
		default:
			id, typ = r.git([]byte(n.Content), "hash-object", "-w", "--stdin"), "blob"
		}
		fmt.Fprintf(&list, "%s %s %s\t%s\x00", n.Mode, typ, id, n.Name)
	}
	return r.git(list.Bytes(), "mktree", "-z")
}

// Commit commits tree with a fixed author, committer and date, makes it
// the tip of main, and returns its id.
func (r *Repo) Commit(tree string) string {
	r.t.Helper()
	id := r.git(nil, "commit-tree", "-m", "hostile", tree)
	r.git(nil, "update-ref", "refs/heads/main", id)
	return id
}

// CommitNodes writes nodes as the root tree and commits it.
func (r *Repo) CommitNodes(nodes ...Node) string {
	r.t.Helper()
	return r.Commit(r.Tree(nodes...))
}

func (r *Repo) git(stdin []byte, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=hostile", "GIT_AUTHOR_EMAIL=hostile@brewkit.invalid", "GIT_AUTHOR_DATE=@1704067200 +0000",
		"GIT_COMMITTER_NAME=hostile", "GIT_COMMITTER_EMAIL=hostile@brewkit.invalid", "GIT_COMMITTER_DATE=@1704067200 +0000")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("git %s in %s: %v: %s", strings.Join(args, " "), r.Dir, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}
