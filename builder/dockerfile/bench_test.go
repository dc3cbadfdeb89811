package dockerfile

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestParseMultistage(t *testing.T) {
	info, err := Parse(readTestdata(t, "multistage.Dockerfile"), crossed)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ref{
		ref("tonistiigi/xx:1.4.0", "linux/amd64", 10),
		ref("golang:1.22-bookworm", "linux/amd64", 12),
		ref("debian:bookworm-slim", "", 30),
		ref("alpine:3.20", "", 44),
		ref("tianon/gosu:1.17", "", 53),
		ref("busybox:1.36", "", 54),
	}
	if diff := cmp.Diff(want, info.Froms); diff != "" {
		t.Errorf("Froms (-want +got):\n%s", diff)
	}
	if got := len(info.Stages); got != 6 {
		t.Errorf("len(Stages) = %d, want 6", got)
	}
}

func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "multistage.Dockerfile")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, crossed); err != nil {
			b.Fatal(err)
		}
	}
}
