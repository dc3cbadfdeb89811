package imagediff

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// epoch is the time of every fixture entry unless a case changes it.
var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// ent is a tar entry of a fixture layer.
type ent struct {
	hdr  tar.Header
	body string
}

func reg(name, body string) ent {
	return ent{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, ModTime: epoch}, body: body}
}

func dir(name string) ent {
	return ent{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch}}
}

func symlink(name, target string) ent {
	return ent{hdr: tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777, ModTime: epoch}}
}

// with is e changed by f.
func (e ent) with(f func(*tar.Header)) ent {
	f(&e.hdr)
	return e
}

// tarBytes is the tar of entries.
func tarBytes(t testing.TB, entries []ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// layerOf is a gzip layer of entries, compressed at level.
func layerOf(t testing.TB, level int, entries ...ent) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(tarBytes(t, entries)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	gz := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// imageOf is an image of layers, its config changed by edit (nil: none).
// Each layer gets a history entry "RUN layer N" unless edit sets them.
func imageOf(t testing.TB, layers []v1.Layer, edit func(*v1.ConfigFile)) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Env = []string{"PATH=/usr/bin:/bin"}
	cfg.History = nil
	for i := range layers {
		cfg.History = append(cfg.History, v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "RUN layer " + string(rune('0'+i))})
	}
	if edit != nil {
		edit(cfg)
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
