package builder

import (
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// fanOut returns a status channel for one Solve whose statuses go to
// every channel of to, in order, each its own copy: a consumer may change
// what it gets, as [Progress.Job] relabels it. Whoever writes to the
// returned channel closes it (Solve does); fanOut then closes every
// channel of to. It reads until the channel is closed, so that Solve
// never blocks on it; with no channel in to it only drains, and with one
// it is that one.
func fanOut(to ...chan *client.SolveStatus) chan *client.SolveStatus {
	if len(to) == 1 {
		return to[0]
	}
	in := make(chan *client.SolveStatus)
	go func() {
		for s := range in {
			for i, out := range to {
				c := s
				if i < len(to)-1 { // copies first: s is the last one's
					c = cloneStatus(s)
				}
				out <- c
			}
		}
		for _, out := range to {
			close(out)
		}
	}()
	return in
}

// cloneStatus copies s deep enough that relabelling the copy leaves s as
// it was: the vertices, statuses, logs and warnings, with the vertices'
// inputs and progress groups. Byte slices and times are shared, as no
// display writes to them.
func cloneStatus(s *client.SolveStatus) *client.SolveStatus {
	c := &client.SolveStatus{}
	for _, v := range s.Vertexes {
		cv := *v
		cv.Inputs = append([]digest.Digest(nil), v.Inputs...)
		if g := v.ProgressGroup; g != nil {
			cv.ProgressGroup = &pb.ProgressGroup{Id: g.Id, Name: g.Name, Weak: g.Weak}
		}
		c.Vertexes = append(c.Vertexes, &cv)
	}
	for _, st := range s.Statuses {
		cst := *st
		c.Statuses = append(c.Statuses, &cst)
	}
	for _, l := range s.Logs {
		cl := *l
		c.Logs = append(c.Logs, &cl)
	}
	for _, w := range s.Warnings {
		cw := *w
		c.Warnings = append(c.Warnings, &cw)
	}
	return c
}
