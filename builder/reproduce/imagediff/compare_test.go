package imagediff

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// base are the entries of a fixture layer.
func base() []ent {
	return []ent{
		dir("etc/"),
		reg("etc/hostname", "brewkit\n"),
		dir("bin/"),
		reg("bin/sh", "#!shell\n").with(func(h *tar.Header) { h.Mode = 0o755 }),
		symlink("bin/ash", "sh"),
	}
}

// edited is base with the entry named name changed by f.
func edited(name string, f func(*ent)) []ent {
	es := base()
	for i := range es {
		if es[i].hdr.Name == name {
			f(&es[i])
		}
	}
	return es
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// view is what a case checks of a report.
type view struct {
	Verdict        Verdict
	Normalizations []Normalization
	Config         []string // field
	Layers         []string // "index created_by"
	Files          []string // "layer path change"
}

func viewOf(r *Report) view {
	v := view{Verdict: r.Verdict, Normalizations: r.Normalizations}
	for _, c := range r.Config {
		v.Config = append(v.Config, c.Field)
	}
	for _, l := range r.Layers {
		v.Layers = append(v.Layers, fmt.Sprintf("%d %s", l.Index, l.CreatedBy))
	}
	for _, f := range r.Files {
		v.Files = append(v.Files, fmt.Sprintf("%d %s %s", f.Layer, f.Path, f.Change))
	}
	return v
}

func TestCompare(t *testing.T) {
	t.Parallel()
	same := imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, base()...)}, nil)
	one := func(entries []ent) v1.Image {
		return imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, entries...)}, nil)
	}
	later := epoch.Add(time.Hour)
	for _, tc := range []struct {
		name     string
		pub, reb v1.Image
		want     view
	}{
		{name: "identical", pub: same, reb: same, want: view{Verdict: Identical}},
		{
			name: "recompressed",
			pub:  same,
			reb:  imageOf(t, []v1.Layer{layerOf(t, gzip.NoCompression, base()...)}, nil),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{LayerCompression}},
		},
		{
			name: "zstd",
			pub:  same,
			reb:  imageOf(t, []v1.Layer{zstdLayer(t, base()...)}, nil),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{LayerCompression}},
		},
		{
			name: "timestamps",
			pub:  same,
			reb: imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, edited("etc/hostname", func(e *ent) {
				e.hdr.ModTime, e.hdr.AccessTime, e.hdr.Format = later, later, tar.FormatPAX
			})...)}, func(c *v1.ConfigFile) {
				c.Created = v1.Time{Time: later}
				c.History[0].Created = v1.Time{Time: later}
			}),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{TarFormat, Timestamps}},
		},
		{
			name: "mtime only",
			pub:  same,
			reb:  one(edited("bin/sh", func(e *ent) { e.hdr.ModTime = later })),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{Timestamps}},
		},
		{
			name: "entry order",
			pub:  same,
			reb:  one(slices.Concat(base()[2:], base()[:2])),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{TarEntryOrder}},
		},
		{
			name: "user name",
			pub:  same,
			reb:  one(edited("etc/hostname", func(e *ent) { e.hdr.Uname = "root" })),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{TarFormat}},
		},
		{
			name: "oci media types",
			pub:  same,
			reb:  mutate.ConfigMediaType(mutate.MediaType(same, types.OCIManifestSchema1), types.OCIConfigJSON),
			want: view{Verdict: Equivalent, Normalizations: []Normalization{MediaTypes}},
		},
		{
			name: "content",
			pub:  same,
			reb:  one(edited("etc/hostname", func(e *ent) { e.body = "other\n" })),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 etc/hostname content"}},
		},
		{
			name: "mode",
			pub:  same,
			reb:  one(edited("bin/sh", func(e *ent) { e.hdr.Mode = 0o4755 })),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 bin/sh mode"}},
		},
		{
			name: "owner",
			pub:  same,
			reb:  one(edited("bin/sh", func(e *ent) { e.hdr.Uid = 1000 })),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 bin/sh owner"}},
		},
		{
			name: "symlink target",
			pub:  same,
			reb:  one(edited("bin/ash", func(e *ent) { e.hdr.Linkname = "/bin/busybox" })),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 bin/ash link target"}},
		},
		{
			name: "type",
			pub:  same,
			reb:  one(edited("bin/ash", func(e *ent) { *e = reg("bin/ash", "#!shell\n") })),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 bin/ash type"}},
		},
		{
			name: "added and removed",
			pub:  same,
			reb:  one(append(base()[:4], reg("etc/new", "x"), reg("etc/.wh.old", ""))),
			want: view{Verdict: Differs, Config: []string{"rootfs.diff_ids[0]"}, Layers: []string{"0 RUN layer 0"}, Files: []string{"0 bin/ash removed", "0 etc/.wh.old added", "0 etc/new added"}},
		},
		{
			name: "config",
			pub:  same,
			reb: imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, base()...)}, func(c *v1.ConfigFile) {
				c.Config.Env = append(c.Config.Env, "LANG=C.UTF-8")
				c.Config.User = "nobody"
				c.History[0].CreatedBy = "RUN other"
			}),
			want: view{Verdict: Differs, Config: []string{"config.Env[1]", "config.User", "history[0].created_by"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Compare(t.Context(), tc.pub, tc.reb)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Normalizations == nil {
				tc.want.Normalizations = []Normalization{}
			}
			if d := cmp.Diff(tc.want, viewOf(r)); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
		})
	}
}

// TestCompareContentRow checks every column of a content row.
func TestCompareContentRow(t *testing.T) {
	t.Parallel()
	pub := imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, base()...)}, nil)
	reb := imageOf(t, []v1.Layer{layerOf(t, gzip.BestSpeed, edited("etc/hostname", func(e *ent) { e.body = "other!\n" })...)}, nil)
	r, err := Compare(t.Context(), pub, reb)
	if err != nil {
		t.Fatal(err)
	}
	want := []FileDiff{{
		Layer: 0, Path: "etc/hostname", Change: Content,
		PublishedSHA256: sum("brewkit\n"), RebuiltSHA256: sum("other!\n"),
		PublishedSize: 8, RebuiltSize: 7, Note: "content 8 -> 7",
	}}
	if d := cmp.Diff(want, r.Files); d != "" {
		t.Errorf("files (-want +got):\n%s", d)
	}
	pd, _ := pub.Digest()
	rd, _ := reb.Digest()
	if r.Published != pd.String() || r.Rebuilt != rd.String() {
		t.Errorf("digests %s %s, want %s %s", r.Published, r.Rebuilt, pd, rd)
	}
}

// zstdLayer is a zstd layer of entries.
func zstdLayer(t testing.TB, entries ...ent) v1.Layer {
	t.Helper()
	raw := tarBytes(t, entries)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithCompression(compression.ZStd), tarball.WithMediaType(types.OCILayerZStd))
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := l.MediaType(); mt != types.OCILayerZStd {
		t.Fatalf("media type %s", mt)
	}
	return l
}
