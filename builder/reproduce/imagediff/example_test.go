package imagediff_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/brewkit/brewkit/builder/reproduce/imagediff"
)

// image is an image of one layer holding one file, gzipped at level.
func image(body string, level int) v1.Image {
	var tarBuf, gzBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	tw.WriteHeader(&tar.Header{Name: "etc/motd", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
	io.WriteString(tw, body)
	tw.Close()
	zw, _ := gzip.NewWriterLevel(&gzBuf, level)
	zw.Write(tarBuf.Bytes())
	zw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gzBuf.Bytes())), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		log.Fatal(err)
	}
	return img
}

func ExampleCompare() {
	ctx := context.Background()
	published := image("hello\n", gzip.BestCompression)
	for _, rebuilt := range []v1.Image{
		published,
		image("hello\n", gzip.NoCompression),
		image("hello!\n", gzip.BestCompression),
	} {
		r, err := imagediff.Compare(ctx, published, rebuilt)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Verdict, r.Normalizations)
		for _, f := range r.Files {
			fmt.Printf("  layer %d %s: %s (%s)\n", f.Layer, f.Path, f.Change, f.Note)
		}
	}
	// Output:
	// identical []
	// equivalent [layer compression]
	// differs []
	//   layer 0 etc/motd: content (content 6 -> 7)
}
