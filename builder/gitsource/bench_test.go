package gitsource

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkChecksum checksums a tree of 1000 files in 20 directories.
func BenchmarkChecksum(b *testing.B) {
	f := newFixture(b)
	for i := range 1000 {
		f.write(fmt.Sprintf("dir%02d/file%04d.txt", i%20, i), strings.Repeat("x", i), 0o644)
	}
	commit := ensure(b, openCache(b), Source{Repo: f.dir, Commit: f.commit("bench", date1, date1)})
	ctx := context.Background()
	for b.Loop() {
		if _, err := commit.Checksum(ctx, "."); err != nil {
			b.Fatal(err)
		}
	}
}
