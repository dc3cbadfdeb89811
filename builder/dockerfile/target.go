package dockerfile

import (
	"fmt"
	"strings"
)

// target returns the index of the stage to build: the last one, or the one
// called name without regard to case (findStateByName in dockerfile2llb).
func (g *graph) target(name string) (int, error) {
	if name == "" {
		return len(g.nodes) - 1, nil
	}
	if j, ok := g.byName[strings.ToLower(name)]; ok {
		return j, nil
	}
	var names []string
	for _, n := range g.nodes {
		if n.Name != "" {
			names = append(names, n.Name)
		}
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("target stage %q could not be found: no stage has a name", name)
	}
	return 0, fmt.Errorf("target stage %q could not be found; the named stages are %s", name, strings.Join(names, ", "))
}

// needed returns which stages building target involves, after firing the
// ONBUILD triggers of those stages, which may involve more stages.
// BuildKit does the same (resolveStages in dockerfile2llb), so neither
// fires triggers in stages that the target does not need. needed also
// checks that every stage needed reads only earlier stages, which BuildKit
// checks as it builds them.
func (g *graph) needed(target int) ([]bool, error) {
	for {
		needed := make([]bool, len(g.nodes))
		g.mark(target, needed)
		fired := false
		for i, n := range g.nodes {
			if needed[i] && n.parent >= 0 && !n.triggered {
				if err := g.trigger(i); err != nil {
					return nil, err
				}
				fired = true
			}
		}
		if !fired {
			return needed, g.checkOrder(needed)
		}
	}
}

// mark sets needed for stage i and every stage it reads.
func (g *graph) mark(i int, needed []bool) {
	if needed[i] {
		return
	}
	needed[i] = true
	n := g.nodes[i]
	if n.parent >= 0 {
		g.mark(n.parent, needed)
	}
	for _, uses := range [][]use{n.triggers, n.uses} {
		for _, u := range uses {
			if u.stage >= 0 {
				g.mark(u.stage, needed)
			}
		}
	}
}

// checkOrder rejects a needed stage that reads itself or a later stage.
func (g *graph) checkOrder(needed []bool) error {
	for i, n := range g.nodes {
		if !needed[i] {
			continue
		}
		for _, uses := range [][]use{n.triggers, n.uses} {
			for _, u := range uses {
				switch {
				case u.stage < i:
				case u.flag == "COPY --from":
					return errorf(u.ref.Line, "%s=%s: cannot copy from stage %q, it needs to be defined before current stage %q", u.flag, u.value, u.value, g.stageName(i))
				default:
					return errorf(u.ref.Line, "%s=%s: cannot mount from stage %q, stage needs to be defined before current command", u.flag, u.value, u.value)
				}
			}
		}
	}
	return nil
}

// froms lists the images read by the needed stages, in file order and,
// within a stage, FROM first, then ONBUILD triggers, then instructions,
// each (Name, Platform) once.
func (g *graph) froms(needed []bool) []Ref {
	type key struct{ name, platform string }
	seen := map[key]bool{}
	var refs []Ref
	add := func(r Ref) {
		if k := (key{r.Name, r.Platform}); !seen[k] {
			seen[k] = true
			refs = append(refs, r)
		}
	}
	for i, n := range g.nodes {
		if !needed[i] {
			continue
		}
		if n.from != nil {
			add(*n.from)
		}
		for _, uses := range [][]use{n.triggers, n.uses} {
			for _, u := range uses {
				if u.stage < 0 {
					add(u.ref)
				}
			}
		}
	}
	return refs
}
