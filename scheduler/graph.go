package scheduler

import (
	"fmt"
	"strings"
)

// Link turns the jobs' FROMs into edges: a FROM naming a tag of a job for
// the same architecture is an edge to that job (namespace is the one tags
// are also known by, bashbrew's --namespace); any other is external. Then
// it fails the jobs on a FROM cycle and ranks the rest. [NewPlan] calls it.
func (p *Plan) Link(namespace string) { link(p.Jobs, namespace) }

func link(jobs []*Job, namespace string) {
	byTag := map[string]*Job{}
	for _, j := range jobs {
		for _, t := range j.Tags {
			for _, k := range []string{t, namespace + "/" + t} {
				if _, ok := byTag[k+"\x00"+j.Arch]; !ok {
					byTag[k+"\x00"+j.Arch] = j
				}
			}
		}
	}
	for _, j := range jobs {
		for _, from := range j.Froms {
			if from == "scratch" {
				continue
			}
			if parent, ok := byTag[NormalizeRef(from)+"\x00"+j.Arch]; ok {
				j.Parents = append(j.Parents, Edge{From: from, Job: parent})
				parent.Children = append(parent.Children, j)
			} else {
				j.External = append(j.External, from)
			}
		}
	}
	failCycles(jobs)
	rank(jobs)
}

// NormalizeRef is the name a FROM is matched against tags by: the
// familiar form of a Docker Hub reference ("docker.io/library/foo" and
// "library/foo" are "foo"), with ":latest" when it has no tag or digest.
func NormalizeRef(ref string) string {
	ref = strings.TrimPrefix(ref, "docker.io/")
	ref = strings.TrimPrefix(ref, "index.docker.io/")
	ref = strings.TrimPrefix(ref, "library/")
	name := ref
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if ref != "scratch" && !strings.ContainsAny(name, ":@") {
		ref += ":latest"
	}
	return ref
}

// failCycles sets Err on every job on a FROM cycle, naming the cycle.
func failCycles(jobs []*Job) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*Job]int, len(jobs))
	var path []*Job
	var visit func(j *Job)
	visit = func(j *Job) {
		state[j] = onPath
		path = append(path, j)
		for _, e := range j.Parents {
			switch state[e.Job] {
			case unseen:
				visit(e.Job)
			case onPath:
				failCycle(path, e.Job)
			}
		}
		path = path[:len(path)-1]
		state[j] = done
	}
	for _, j := range jobs {
		if state[j] == unseen {
			visit(j)
		}
	}
}

// failCycle fails the jobs of path from start to its end, which has an
// edge back to start.
func failCycle(path []*Job, start *Job) {
	i := len(path) - 1
	for path[i] != start {
		i--
	}
	cycle := path[i:]
	names := make([]string, 0, len(cycle)+1)
	for k := len(cycle) - 1; k >= 0; k-- { // parent first: the order things would build
		names = append(names, cycle[k].String())
	}
	names = append(names, cycle[len(cycle)-1].String())
	err := fmt.Errorf("FROM cycle: %s; a Dockerfile cannot be built from its own descendant", strings.Join(names, " -> "))
	for _, j := range cycle {
		if j.Err == nil {
			j.Err = err
		}
	}
}

// rank sets every job's rank: 1 + the highest rank of its children. Jobs
// on a cycle (already failed) count as leaves.
func rank(jobs []*Job) {
	var visit func(j *Job) int
	visiting := map[*Job]bool{}
	visit = func(j *Job) int {
		if j.rank > 0 || visiting[j] {
			return j.rank
		}
		visiting[j] = true
		r := 1
		for _, c := range j.Children {
			r = max(r, 1+visit(c))
		}
		j.rank = r
		delete(visiting, j)
		return r
	}
	for _, j := range jobs {
		visit(j)
	}
}
