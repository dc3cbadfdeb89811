package builder

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// TestFanOut sends statuses through fanOut to consumers that relabel
// what they get, as Progress.Job does, at the same time (the race
// detector watches), and checks that each got every status unchanged by
// the others, and that its channel was closed.
func TestFanOut(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3} {
		t.Run(fmt.Sprintf("%d consumers", n), func(t *testing.T) {
			sent := []*client.SolveStatus{testStatus("a"), testStatus("b")}
			var want []*client.SolveStatus
			for _, s := range sent {
				want = append(want, cloneStatus(s))
			}
			to := make([]chan *client.SolveStatus, n)
			got := make([]chan []*client.SolveStatus, n)
			for i := range to {
				to[i], got[i] = make(chan *client.SolveStatus), make(chan []*client.SolveStatus, 1)
				go func() {
					var all []*client.SolveStatus
					for s := range to[i] { // until fanOut closes it
						all = append(all, cloneStatus(s))
						relabel(fmt.Sprint("consumer ", i), s)
					}
					got[i] <- all
				}()
			}
			in := fanOut(to...)
			for _, s := range sent {
				in <- s
			}
			close(in)
			for i := range got {
				if diff := cmp.Diff(want, <-got[i], cmp.Comparer(sameGroup)); diff != "" {
					t.Errorf("consumer %d got (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

// testStatus is a status with one of everything relabel changes.
func testStatus(name string) *client.SolveStatus {
	now := time.Now()
	d, in := digest.FromString(name), digest.FromString(name+" input")
	return &client.SolveStatus{
		Vertexes: []*client.Vertex{{Digest: d, Inputs: []digest.Digest{in}, Name: "RUN " + name, Started: &now,
			ProgressGroup: &pb.ProgressGroup{Id: "group " + name, Name: "group"}}},
		Statuses: []*client.VertexStatus{{ID: "status " + name, Vertex: d, Current: 1, Timestamp: now}},
		Logs:     []*client.VertexLog{{Vertex: d, Stream: 1, Data: []byte(name + " says hi\n"), Timestamp: now}},
		Warnings: []*client.VertexWarning{{Vertex: d, Short: []byte("careful with " + name)}},
	}
}

// sameGroup compares progress groups by what a display reads of them.
func sameGroup(a, b *pb.ProgressGroup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Id == b.Id && a.Name == b.Name && a.Weak == b.Weak
}
