package imagediff

import (
	"compress/gzip"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// history is a Dockerfile's: empty_layer entries between the layers.
func history(c *v1.ConfigFile) {
	c.History = []v1.History{
		{CreatedBy: "ADD rootfs.tar.xz /"},
		{CreatedBy: `CMD ["sh"]`, EmptyLayer: true},
		{CreatedBy: "ENV LANG=C.UTF-8", EmptyLayer: true},
		{CreatedBy: "RUN apt-get install -y curl"},
		{CreatedBy: "WORKDIR /app", EmptyLayer: true},
		{CreatedBy: "COPY app /app"},
	}
}

func TestCompareLayers(t *testing.T) {
	t.Parallel()
	l0 := layerOf(t, gzip.BestSpeed, base()...)
	l1 := layerOf(t, gzip.BestSpeed, reg("usr/bin/curl", "curl 1"))
	l1b := layerOf(t, gzip.BestSpeed, reg("usr/bin/curl", "curl 2"))
	l2 := layerOf(t, gzip.BestSpeed, reg("app/main", "main"), reg("app/.wh..wh..opq", ""))
	l2b := layerOf(t, gzip.BestSpeed, reg("app/main", "main"))
	pub := imageOf(t, []v1.Layer{l0, l1, l2}, history)
	for _, tc := range []struct {
		name string
		reb  v1.Image
		want view
		note string // of the last file row
	}{
		{
			name: "second layer",
			reb:  imageOf(t, []v1.Layer{l0, l1b, l2}, history),
			want: view{
				Verdict: Differs, Normalizations: []Normalization{},
				Config: []string{"rootfs.diff_ids[1]"},
				Layers: []string{"1 RUN apt-get install -y curl"},
				Files:  []string{"1 usr/bin/curl content"},
			},
			note: "content 6 -> 6",
		},
		{
			name: "second and third",
			reb:  imageOf(t, []v1.Layer{l0, l1b, l2b}, history),
			want: view{
				Verdict: Differs, Normalizations: []Normalization{},
				Config: []string{"rootfs.diff_ids[1]", "rootfs.diff_ids[2]"},
				Layers: []string{"1 RUN apt-get install -y curl", "2 COPY app /app"},
				Files:  []string{"1 usr/bin/curl content", "2 app/.wh..wh..opq removed"},
			},
			note: "opaque whiteout: hides what the layers below hold in app",
		},
		{
			name: "one layer fewer",
			reb: imageOf(t, []v1.Layer{l0, l1}, func(c *v1.ConfigFile) {
				history(c)
				c.History = c.History[:4]
			}),
			want: view{
				Verdict: Differs, Normalizations: []Normalization{},
				Config: []string{"history[4]", "history[5]", "rootfs.diff_ids[2]"},
				Layers: []string{"2 COPY app /app"},
				Files:  []string{"2 app/.wh..wh..opq removed", "2 app/main removed"},
			},
			note: "file",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Compare(t.Context(), pub, tc.reb)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, viewOf(r)); d != "" {
				t.Errorf("report (-want +got):\n%s", d)
			}
			if n := r.Files[len(r.Files)-1].Note; n != tc.note {
				t.Errorf("last note %q, want %q", n, tc.note)
			}
		})
	}
}

func TestCreatedBy(t *testing.T) {
	t.Parallel()
	cfg := &v1.ConfigFile{}
	history(cfg)
	want := []string{"ADD rootfs.tar.xz /", "RUN apt-get install -y curl", "COPY app /app"}
	if d := cmp.Diff(want, createdBy(cfg)); d != "" {
		t.Errorf("createdBy (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		i        int
		pub, reb []string
		want     string
	}{
		{0, want, nil, "ADD rootfs.tar.xz /"},
		{3, want, []string{"a", "b", "c", "d"}, "d"},
		{5, want, want, ""},
		{1, []string{"a", ""}, []string{"x", "y"}, "y"},
	} {
		if got := instruction(tc.i, tc.pub, tc.reb); got != tc.want {
			t.Errorf("instruction(%d, %q, %q) = %q, want %q", tc.i, tc.pub, tc.reb, got, tc.want)
		}
	}
}

// TestReportJSON checks the JSON names the CLI prints, and that an empty
// list is [] and not null.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	r := &Report{
		Verdict: Differs, Published: "sha256:a", Rebuilt: "sha256:b",
		Normalizations: []Normalization{}, Config: []FieldDiff{{Field: "created", Published: "x", Rebuilt: "y"}},
		Layers: []LayerDiff{{Index: 2, Published: "sha256:c", Rebuilt: "sha256:d", CreatedBy: "RUN x"}},
		Files:  []FileDiff{{Layer: 2, Path: "etc/x", Change: Content, PublishedSHA256: "aa", RebuiltSHA256: "bb", PublishedSize: 1, RebuiltSize: 2}},
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"verdict":"differs","published":"sha256:a","rebuilt":"sha256:b","normalizations":[],` +
		`"config":[{"field":"created","published":"x","rebuilt":"y"}],` +
		`"layers":[{"index":2,"published":"sha256:c","rebuilt":"sha256:d","created_by":"RUN x"}],` +
		`"files":[{"layer":2,"path":"etc/x","change":"content","published_sha256":"aa","rebuilt_sha256":"bb","published_size":1,"rebuilt_size":2}]}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
