package imagediff

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// bigLayer is a layer generated as it is read, never held: a gzip
// (stored blocks, so that building it costs little) of a tar of files
// files of size/files bytes each from a ChaCha8 stream; the last file's
// stream is seeded with last, so that two layers that differ in last
// differ in their last file only. Its digest and diff ID are labels, not
// hashes: computing them would cost two more passes.
type bigLayer struct {
	size  int64
	files int
	last  byte
}

var _ partial.CompressedLayer = (*bigLayer)(nil)
var _ partial.WithDiffID = (*bigLayer)(nil)

func (l *bigLayer) label(kind string) v1.Hash {
	h := sha256.Sum256(fmt.Appendf(nil, "%s %d %d %d", kind, l.size, l.files, l.last))
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h)}
}

func (l *bigLayer) Digest() (v1.Hash, error)            { return l.label("digest"), nil }
func (l *bigLayer) DiffID() (v1.Hash, error)            { return l.label("diffid"), nil }
func (l *bigLayer) Size() (int64, error)                { return l.size, nil }
func (l *bigLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Compressed streams the layer from a goroutine that ends when the
// reader is closed.
func (l *bigLayer) Compressed() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(l.write(pw)) }()
	return pr, nil
}

func (l *bigLayer) write(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.NoCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	each := l.size / int64(l.files)
	for i := range l.files {
		seed := [32]byte{byte(i)}
		if i == l.files-1 {
			seed[1] = l.last
		}
		hdr := &tar.Header{Name: fmt.Sprintf("data/file%d", i), Typeflag: tar.TypeReg, Mode: 0o644, Size: each, ModTime: epoch}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.CopyN(tw, rand.NewChaCha8(seed), each); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// bigImages are two images of one big layer each that differ in the
// last file.
func bigImages(t testing.TB, size int64) (pub, reb v1.Image) {
	t.Helper()
	mk := func(last byte) v1.Image {
		l, err := partial.CompressedToLayer(&bigLayer{size: size, files: 4, last: last})
		if err != nil {
			t.Fatal(err)
		}
		return imageOf(t, []v1.Layer{l}, nil)
	}
	return mk(1), mk(2)
}

// peakHeap runs f and returns the most heap its objects took meanwhile,
// above what they took before, sampled every millisecond.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	before := read()
	var peak uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return max(peak, before) - before
}

// compareBig compares two images of a size-byte layer, checking the
// report, and returns the peak heap.
func compareBig(t testing.TB, size int64) uint64 {
	pub, reb := bigImages(t, size)
	var r *Report
	var err error
	peak := peakHeap(func() { r, err = Compare(context.Background(), pub, reb) })
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Differs || len(r.Files) != 1 || r.Files[0].Path != "data/file3" || r.Files[0].PublishedSize != size/4 {
		t.Fatalf("report %+v, want one content row for data/file3", r)
	}
	return peak
}

// TestBoundedMemory compares two 256 MiB layers (2 GiB with
// BREWKIT_BIG=1) and checks the heap stays under 32 MiB meanwhile.
func TestBoundedMemory(t *testing.T) {
	size := int64(256 << 20)
	if os.Getenv("BREWKIT_BIG") == "1" {
		size = 2 << 30
	}
	start := time.Now()
	peak := compareBig(t, size)
	t.Logf("%d MiB layers: peak heap %.1f MiB, %v", size>>20, float64(peak)/(1<<20), time.Since(start).Round(time.Millisecond))
	if peak > 32<<20 {
		t.Errorf("peak heap %d MiB comparing %d MiB layers, want under 32 MiB", peak>>20, size>>20)
	}
}

func BenchmarkCompareBig(b *testing.B) {
	const size = 256 << 20
	b.SetBytes(2 * size)
	var peak uint64
	for b.Loop() {
		peak = max(peak, compareBig(b, size))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
