package main

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSourcesProgress(t *testing.T) {
	t.Parallel()
	type step struct {
		at   time.Duration // since the first update
		done int
	}
	const total = 6
	steady := []step{{0, 0}, {time.Second, 1}, {3 * time.Second, 2}, {5 * time.Second, 3}, {6 * time.Second, 4}, {11 * time.Second, 5}, {12 * time.Second, 6}}
	for _, tc := range []struct {
		name  string
		tty   bool
		steps []step
		want  string
	}{
		{"a quick plan shows nothing", false, []step{{0, 0}, {time.Second, 3}, {2 * time.Second, 6}}, ""},
		{"a quick plan on a terminal shows nothing", true, []step{{0, 0}, {100 * time.Millisecond, 3}, {200 * time.Millisecond, 6}}, ""},
		{"a line every 5s, then the total", false, steady,
			"inspecting sources: 3 of 6\ninspecting sources: 5 of 6\ninspecting sources: 6 of 6\n"},
		{"the total, when it is the first line due", false, []step{{0, 0}, {time.Second, 5}, {6 * time.Second, 6}},
			"inspecting sources: 6 of 6\n"},
		{"in place on a terminal", true, []step{{0, 0}, {100 * time.Millisecond, 1}, {300 * time.Millisecond, 2}, {400 * time.Millisecond, 3}, {600 * time.Millisecond, 6}},
			"\rinspecting sources: 2 of 6\x1b[K\rinspecting sources: 6 of 6\x1b[K\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			start := time.Unix(1_700_000_000, 0)
			now := start
			p := newSourcesProgress(&out)
			p.now = func() time.Time { return now }
			if tc.tty {
				p.tty, p.every = true, ttyEvery
			}
			for _, s := range tc.steps {
				now = start.Add(s.at)
				p.update(s.done, total)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, w := range map[string]io.Writer{"a buffer": &bytes.Buffer{}, "a file": f} {
		if isTerminal(w) {
			t.Errorf("%s is a terminal", name)
		}
	}
}
