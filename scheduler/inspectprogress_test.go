package scheduler

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/manifest"
)

// Options.Progress hears of every job to inspect, failed ones included,
// one call at a time (the race detector checks that the unguarded append
// below is never concurrent), from 0 to the total.
func TestPlanProgress(t *testing.T) {
	t.Parallel()
	r := repo(t, "r", "\nTags: 1\nArchitectures: amd64, arm64v8, s390x\nDirectory: a\n"+
		"\nTags: 2\nArchitectures: amd64, arm64v8\nDirectory: bad\n"+
		"\nTags: 3\nArchitectures: amd64\nDirectory: c\nBuilder: nonsense\n"+ // not inspected
		"\nTags: 4\nArchitectures: amd64, arm32v7, i386, ppc64le\nDirectory: d\n")
	insp := fakeInspector{fail: map[string]error{"bad": errors.New("no such directory")}}
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprint(n, " at once"), func(t *testing.T) {
			t.Parallel()
			var got [][2]int
			p, err := NewPlan(context.Background(), []*manifest.Repo{r}, insp, Options{Inspections: n, Progress: func(done, total int) {
				got = append(got, [2]int{done, total})
			}})
			if err != nil {
				t.Fatal(err)
			}
			var want [][2]int
			for i := range 10 {
				want = append(want, [2]int{i, 9})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("progress calls (-want +got):\n%s", diff)
			}
			if bad := len(p.Jobs) - countOK(p); bad != 3 {
				t.Errorf("%d jobs with errors, want 3 (2 failed inspections, 1 unknown builder)", bad)
			}
		})
	}
}

func countOK(p *Plan) int {
	n := 0
	for _, j := range p.Jobs {
		if j.Err == nil {
			n++
		}
	}
	return n
}
