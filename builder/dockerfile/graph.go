package dockerfile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// graph is the stages of a Dockerfile and what each one reads.
type graph struct {
	x      *expander
	nodes  []*node
	byName map[string]int // lower-cased stage name to index; a later duplicate wins
}

type node struct {
	Stage
	parent    int  // index of the stage this one is built FROM, or -1
	from      *Ref // the image this one is built FROM, if not a stage
	triggers  []use
	uses      []use
	triggered bool // triggers holds the parent's ONBUILD uses
	cmds      []instructions.Command
}

// use is an earlier stage or an external image that an instruction reads.
type use struct {
	stage int // index of the stage read, or -1 for ref
	ref   Ref
	flag  string // "COPY --from" or "RUN --mount=from", for messages
	value string // the flag's value as written
}

// newGraph resolves the FROM of every stage, then the COPY --from and
// RUN --mount=from= of every stage. A FROM can name only an earlier stage,
// because BuildKit looks the name up while it adds stages; the flags are
// looked up among all stages.
func newGraph(stages []instructions.Stage, x *expander) (*graph, error) {
	g := &graph{x: x, byName: map[string]int{}}
	for i, st := range stages {
		n, err := g.from(st)
		if err != nil {
			return nil, err
		}
		g.nodes = append(g.nodes, n)
		if n.Name != "" {
			g.byName[n.Name] = i
		}
	}
	for _, n := range g.nodes {
		for _, c := range n.cmds {
			u, err := g.command(c, firstLine(c.Location()))
			if err != nil {
				return nil, err
			}
			n.uses = append(n.uses, u...)
		}
	}
	if err := g.checkCycles(); err != nil {
		return nil, err
	}
	return g, nil
}

// from expands the FROM of st and resolves it to an earlier stage or an
// image.
func (g *graph) from(st instructions.Stage) (*node, error) {
	line, src := firstLine(st.Location), describe(st.SourceCode)
	name, err := g.expand(line, src, st.BaseName)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errorf(line, "%s: the base image name is empty after ARG expansion", src)
	}
	n := &node{
		Stage:  Stage{Name: st.Name, From: name, Line: line},
		parent: -1,
		cmds:   st.Commands,
	}
	if st.Platform != "" {
		if n.Platform, err = g.platform(line, src, st.Platform); err != nil {
			return nil, err
		}
	}
	if j, ok := g.byName[name]; ok {
		n.parent = j
		n.Base = g.nodes[j].Base
		return n, nil
	}
	if n.Base, err = imageRef(name); err != nil {
		return nil, errorf(line, "%s: %w", src, err)
	}
	n.from = &Ref{Name: n.Base, Platform: n.Platform, Line: line}
	if n.Base == scratch {
		n.from.Platform = ""
	}
	return n, nil
}

// expand substitutes the global ARGs in word, one part of the FROM src.
func (g *graph) expand(line int, src, word string) (string, error) {
	s, missing, err := g.x.expand(word)
	if err != nil {
		return "", errorf(line, "%s: %w", src, err)
	}
	if len(missing) > 0 {
		return "", missingArgError(line, src, missing[0])
	}
	return s, nil
}

// platform expands and checks a FROM --platform flag.
func (g *graph) platform(line int, src, flag string) (string, error) {
	p, err := g.expand(line, src, flag)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errorf(line, "%s: the platform is empty after ARG expansion", src)
	}
	if _, err := platforms.Parse(p); err != nil {
		return "", errorf(line, "%s: invalid platform %q: %w", src, p, err)
	}
	return p, nil
}

// command returns what one instruction at line reads.
func (g *graph) command(c instructions.Command, line int) ([]use, error) {
	switch c := c.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			u, err := g.copyFrom(c.From, line)
			return []use{u}, err
		}
	case *instructions.RunCommand:
		var uses []use
		for _, m := range instructions.GetMounts(c) {
			if m.From == "" {
				continue
			}
			u, err := g.lookup(m.From, line, "RUN --mount=from")
			if err != nil {
				return nil, err
			}
			uses = append(uses, u)
		}
		return uses, nil
	}
	return nil, nil
}

// copyFrom resolves COPY --from: a stage index, a stage name or an image.
// As in BuildKit (toCommand in dockerfile2llb), the flag is not expanded.
func (g *graph) copyFrom(from string, line int) (use, error) {
	if !lexable(from) {
		return use{}, errorf(line, "COPY --from=%q: %w", from, errNotLexable)
	}
	res, err := g.x.lex.ProcessWordWithMatches(from, &argEnv{})
	if err != nil {
		return use{}, errorf(line, "COPY --from=%s: %w", from, err)
	}
	if res.Result != from {
		return use{}, errorf(line, "COPY --from=%s: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround", from)
	}
	j, err := strconv.Atoi(from)
	if err != nil {
		return g.lookup(from, line, "COPY --from")
	}
	if j < 0 || j >= len(g.nodes) {
		return use{}, errorf(line, "COPY --from=%s: invalid stage index %d", from, j)
	}
	return use{stage: j, flag: "COPY --from", value: from, ref: Ref{Line: line}}, nil
}

// lookup resolves the value of flag: the stage of that name, without
// regard to case, or else an image. A number is an image name here; only
// COPY --from takes stage indexes.
func (g *graph) lookup(name string, line int, flag string) (use, error) {
	if j, ok := g.byName[strings.ToLower(name)]; ok {
		return use{stage: j, flag: flag, value: name, ref: Ref{Line: line}}, nil
	}
	ref, err := imageRef(name)
	if err != nil {
		return use{}, errorf(line, "%s=%s: %w", flag, name, err)
	}
	return use{stage: -1, flag: flag, value: name, ref: Ref{Name: ref, Line: line}}, nil
}

// checkCycles rejects stages that read themselves through COPY --from or
// RUN --mount=from=, whether the target needs them or not, as BuildKit's
// validateCircularDependency does.
func (g *graph) checkCycles() error {
	const (
		unvisited = iota
		onPath
		done
	)
	state := make([]int, len(g.nodes))
	var visit func(i int) *use
	visit = func(i int) *use {
		state[i] = onPath
		for k := range g.nodes[i].uses {
			u := &g.nodes[i].uses[k]
			if u.stage < 0 || state[u.stage] == done {
				continue
			}
			if state[u.stage] == onPath {
				return u
			}
			if c := visit(u.stage); c != nil {
				return c
			}
		}
		state[i] = done
		return nil
	}
	for i := range g.nodes {
		if state[i] != unvisited {
			continue
		}
		if u := visit(i); u != nil {
			return errorf(u.ref.Line, "%s=%s: circular dependency detected on stage: %s", u.flag, u.value, g.stageName(i))
		}
	}
	return nil
}

// stageName is how BuildKit names stage i in messages.
func (g *graph) stageName(i int) string {
	if g.nodes[i].Name != "" {
		return g.nodes[i].Name
	}
	return fmt.Sprintf("stage-%d", i)
}

// trigger fires the ONBUILD instructions of stage i's parent stage in stage
// i, as BuildKit does for the stages a build needs: before the stage's own
// instructions, reported at its FROM line. ONBUILD instructions that come
// with an external base image cannot be known without fetching it.
func (g *graph) trigger(i int) error {
	n := g.nodes[i]
	n.triggered = true
	for _, c := range g.nodes[n.parent].cmds {
		ob, ok := c.(*instructions.OnbuildCommand)
		if !ok {
			continue
		}
		cmd, err := parseTrigger(ob.Expression)
		if err != nil {
			return errorf(n.Line, "ONBUILD %s (from stage %s): %w", describe(ob.Expression), g.stageName(n.parent), err)
		}
		uses, err := g.command(cmd, n.Line)
		if err != nil {
			return err
		}
		n.triggers = append(n.triggers, uses...)
	}
	return nil
}

func parseTrigger(expr string) (instructions.Command, error) {
	res, err := parser.Parse(strings.NewReader(expr))
	if err != nil {
		return nil, err
	}
	if len(res.AST.Children) != 1 {
		return nil, fmt.Errorf("onbuild trigger should be a single expression")
	}
	return instructions.ParseCommand(res.AST.Children[0])
}
