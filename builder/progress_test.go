package builder

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

func TestProgressPrefixesConcurrentJobs(t *testing.T) {
	var out bytes.Buffer
	p, err := NewProgress(&out, "plain")
	if err != nil {
		t.Fatal(err)
	}
	same := digest.FromString("RUN uname -m")
	for _, prefix := range []string{"amd64 foo:1", "arm64v8 foo:1"} {
		ch := p.Job(prefix)
		start := time.Now()
		end := start.Add(time.Second)
		ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: same, Name: "RUN uname -m", Started: &start}}}
		ch <- &client.SolveStatus{
			Vertexes: []*client.Vertex{{Digest: same, Name: "RUN uname -m", Started: &start, Completed: &end}},
			Logs:     []*client.VertexLog{{Vertex: same, Stream: 1, Data: []byte(prefix + " says hi\n"), Timestamp: start}},
		}
		close(ch)
	}
	p.Note("s390x foo:1", "up to date")
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[amd64 foo:1] RUN uname -m", "[arm64v8 foo:1] RUN uname -m", "amd64 foo:1 says hi", "arm64v8 foo:1 says hi", "[s390x foo:1] up to date"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("display lacks %q:\n%s", want, out.String())
		}
	}
}

func TestProgressBadMode(t *testing.T) {
	if _, err := NewProgress(&bytes.Buffer{}, "fancy"); err == nil {
		t.Error("mode fancy accepted")
	}
}
