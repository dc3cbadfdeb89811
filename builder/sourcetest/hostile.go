package sourcetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Stage is where brewkit must refuse a hostile source.
type Stage int

const (
	// Plan: inspecting the source (brewkit plan, and build before it
	// builds anything) refuses it.
	Plan Stage = iota
	// Build: the job itself fails; its plan was fine.
	Build
	// Harmless: once confined to the commit's tree the source is
	// harmless; it must build, and nothing from outside may be in its
	// image.
	Harmless
)

func (s Stage) String() string {
	return [...]string{"plan", "build", "harmless"}[s]
}

// Case is one hostile source: the tree of a commit, the library entry
// fields that name it, and what brewkit must do with it.
type Case struct {
	Name    string // a tag: lowercase, digits and dashes
	Attack  string // what it tries
	Builder string // "" (a Dockerfile) or "oci-import"
	// Directory and File as the library entry gives them; "" means "."
	// and Dockerfile (oci-import: index.json).
	Directory, File string
	// Tree returns the root tree of the commit; arch is the architecture
	// the entry is built for.
	Tree func(t testing.TB, o *Outside, arch string) []Node
	// GitRepo, if set, replaces the entry's GitRepo (repo, where the tree
	// was committed).
	GitRepo func(o *Outside, repo string) string
	// Refusal is a substring of the error: at Stage Plan or Build. Empty
	// for a Harmless case.
	Refusal string
	Stage   Stage
}

// Dockerfile is the Dockerfile of the Dockerfile cases: it copies the
// whole context into the image, so that whatever was sent is in it.
const Dockerfile = "FROM scratch\nCOPY . /ctx/\n"

// Hostile returns the corpus: every class of issue 9, each case a tree
// that git's porcelain could not have made or that reaches for the
// host's files, or library fields that try the same.
func Hostile() []Case {
	return slices.Concat(writeCases(), readCases(), layoutCases(), libraryCases())
}

// libraryCases are hostile GitRepo, Directory and File values over a
// harmless tree.
func libraryCases() []Case {
	tree := func(testing.TB, *Outside, string) []Node { return []Node{File("Dockerfile", Dockerfile)} }
	repo := func(f func(o *Outside) string) func(*Outside, string) string {
		return func(o *Outside, _ string) string { return f(o) }
	}
	return []Case{
		{Name: "lib-gitrepo-option", Attack: "GitRepo --upload-pack=touch OUTSIDE/x, an option to git fetch", Tree: tree,
			GitRepo: repo(func(o *Outside) string { return "--upload-pack=touch " + o.Dir + "/x" }),
			Refusal: `must not start with "-"`, Stage: Plan},
		{Name: "lib-gitrepo-ext", Attack: "GitRepo ext::sh -c touch OUTSIDE/x, git's command transport", Tree: tree,
			GitRepo: repo(func(o *Outside) string { return "ext::sh -c touch% " + o.Dir + "/x" }),
			Refusal: `remote-helper syntax "transport::address" is not supported`, Stage: Plan},
		{Name: "lib-gitrepo-ssh-option", Attack: "GitRepo ssh://-oProxyCommand=touch OUTSIDE/x/r, an option to ssh", Tree: tree,
			GitRepo: repo(func(o *Outside) string {
				return "ssh://-oProxyCommand=touch%20" + strings.ReplaceAll(o.Dir, "/", "%2F") + "%2Fx/r"
			}),
			Refusal: `must not start with "-"`, Stage: Plan},
		{Name: "lib-gitrepo-host-dir", Attack: "GitRepo file://OUTSIDE, a host directory that is not a repository", Tree: tree,
			GitRepo: repo(func(o *Outside) string { return "file://" + o.Dir }),
			Refusal: "does not appear to be a git repository", Stage: Plan},
		{Name: "lib-directory-abs", Attack: "Directory OUTSIDE, absolute", Tree: tree,
			GitRepo: nil, Directory: "/etc", Refusal: `Directory "/etc" escapes the repository`, Stage: Plan},
		{Name: "lib-directory-up", Attack: "Directory ../../..", Tree: tree,
			Directory: "../../..", Refusal: `Directory "../../.." escapes the repository`, Stage: Plan},
		{Name: "lib-file-abs", Attack: "File /etc/passwd", Tree: tree,
			File: "/etc/passwd", Refusal: `File "/etc/passwd" escapes the repository`, Stage: Plan},
	}
}

// writeCases try to make an extraction write through a link.
func writeCases() []Case {
	df := File("Dockerfile", Dockerfile)
	return []Case{
		{Name: "write-link-and-dir", Attack: "a symlink a -> OUTSIDE and a directory a/ holding x: extracting a/x writes OUTSIDE/x",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{df, Link("a", o.Dir), Dir("a", File("x", "written through the link\n"))}
			}, Refusal: `"a" is listed twice in the tree`, Stage: Plan},
		{Name: "write-link-and-dir-oci", Attack: "the same, in an oci-import layout's Directory", Builder: "oci-import", Directory: "img",
			Tree: func(t testing.TB, o *Outside, arch string) []Node {
				layout, _ := BusyboxLayout(t, arch, map[string]string{"hello": "hello\n"})
				layout["z"] = Link("", o.Dir)
				nodes := Files(prefixed("img/", layout))
				nodes[0].Children = append(nodes[0].Children, Dir("z", File("x", "written through the link\n")))
				return nodes
			}, Refusal: `"z" is listed twice in the tree`, Stage: Plan},
		{Name: "write-dotdot", Attack: `a directory named ".." holding x`,
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{df, Dir("..", File("x", "x\n"))}
			}, Refusal: `entry named ".."`, Stage: Plan},
		{Name: "write-dot", Attack: `a directory named "."`,
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{df, Dir(".", File("x", "x\n"))}
			}, Refusal: `entry named "."`, Stage: Plan},
		{Name: "write-empty-name", Attack: "an entry with an empty name (git's upload-pack refuses to send it)",
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{df, File("", "x\n")}
			}, Refusal: "empty filename in tree entry", Stage: Plan},
		{Name: "write-dotgit", Attack: "a .git directory whose config runs a command on checkout",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{df, Dir(".git", File("config", "[core]\n\tfsmonitor = touch "+o.Dir+"/x\n"))}
			}, Refusal: `entry named ".git"`, Stage: Plan},
		{Name: "write-dotgit-case", Attack: "a .GIT directory, which is .git on a case-insensitive disk",
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{df, Dir(".GIT", File("HEAD", "ref: refs/heads/main\n"))}
			}, Refusal: `entry named ".GIT"`, Stage: Plan},
	}
}

// readCases try to read the host's files through links.
func readCases() []Case {
	df := File("Dockerfile", Dockerfile)
	return []Case{
		{Name: "read-chain-to-etc", Attack: "Directory phys/lnk, lnk -> s/.., s -> OUTSIDE: textually inside, on disk the host's directory",
			Directory: "phys/lnk",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Dir("phys", df, Link("lnk", "s/.."), Link("s", o.Dir))}
			}, Stage: Harmless},
		{Name: "read-context-links", Attack: "context symlinks to OUTSIDE/secret, absolute and ../ chained",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{df, Link("abs", o.SecretFile()), Link("up", o.Up(0)), Dir("d", Link("up", o.Up(1)))}
			}, Stage: Harmless},
		{Name: "read-dockerfile-abs", Attack: "the Dockerfile is a symlink to OUTSIDE/secret",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Link("Dockerfile", o.SecretFile())}
			}, Refusal: "is an absolute symlink", Stage: Plan},
		{Name: "read-dockerfile-up", Attack: "the Dockerfile is a ../ symlink to OUTSIDE/secret",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Link("Dockerfile", o.Up(0))}
			}, Refusal: "is a symlink out of the repository", Stage: Plan},
		{Name: "read-dockerfile-chain", Attack: "Dockerfile -> a -> b -> ../ to OUTSIDE/secret",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Link("Dockerfile", "a"), Link("a", "b"), Link("b", o.Up(0))}
			}, Refusal: "is a symlink out of the repository", Stage: Plan},
		{Name: "read-directory-abs", Attack: "Directory is a symlink to OUTSIDE", Directory: "d",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Link("d", o.Dir)}
			}, Refusal: "is an absolute symlink", Stage: Plan},
		{Name: "read-directory-up", Attack: "Directory is a ../ symlink to OUTSIDE", Directory: "d",
			Tree: func(_ testing.TB, o *Outside, _ string) []Node {
				return []Node{Link("d", strings.TrimSuffix(o.Up(0), "/secret"))}
			}, Refusal: "is a symlink out of the repository", Stage: Plan},
		{Name: "read-dockerfile-loop", Attack: "a Dockerfile symlink loop", File: "a",
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{Link("a", "b"), Link("b", "a")}
			}, Refusal: "too many levels of symlinks", Stage: Plan},
		{Name: "memory-huge-dockerfile", Attack: "a 5 MiB Dockerfile",
			Tree: func(testing.TB, *Outside, string) []Node {
				return []Node{File("Dockerfile", "FROM scratch\n#"+strings.Repeat("x", 5<<20)+"\n")}
			}, Refusal: "more than the 4194304 allowed", Stage: Plan},
	}
}

// prefixed puts every path of files under dir.
func prefixed(dir string, files map[string]any) map[string]any {
	out := make(map[string]any, len(files))
	for p, v := range files {
		out[dir+p] = v
	}
	return out
}

// ociTree returns a busybox-shaped layout for arch under img/, changed by
// edit (which may add, replace or delete paths of the layout), beside
// other/, a copy of the layout outside the entry's Directory.
func ociTree(t testing.TB, arch string, edit func(l map[string]any, digests layoutDigests)) []Node {
	l, d := BusyboxLayout(t, arch, map[string]string{"hello": "hello\n"})
	files := prefixed("other/", l)
	digests := digestsOf(t, l, d)
	if edit != nil {
		edit(l, digests)
	}
	for p, v := range prefixed("img/", l) {
		files[p] = v
	}
	return Files(files)
}

// layoutDigests are the hex digests of a busybox layout's blobs.
type layoutDigests struct{ manifest, config, layer string }

func digestsOf(t testing.TB, l map[string]any, manifest string) layoutDigests {
	var m struct {
		Config struct{ Digest string }   `json:"config"`
		Layers []struct{ Digest string } `json:"layers"`
	}
	if err := json.Unmarshal([]byte(l["image-manifest.json"].(string)), &m); err != nil {
		t.Fatal(err)
	}
	hex := func(d string) string { return strings.TrimPrefix(d, "sha256:") }
	return layoutDigests{manifest: hex(manifest), config: hex(m.Config.Digest), layer: hex(m.Layers[0].Digest)}
}
