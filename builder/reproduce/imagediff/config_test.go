package imagediff

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffConfig(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 150)
	for _, tc := range []struct {
		name, pub, reb string
		rows           []FieldDiff
		norms          []Normalization
	}{
		{name: "same", pub: `{"a":1}`, reb: `{"a":1}`},
		{name: "encoding", pub: `{"a":1,"b":[1,2]}`, reb: "{ \"b\": [1, 2],\n \"a\": 1 }", norms: []Normalization{JSONEncoding}},
		{
			name: "times", pub: `{"created":"2024-01-01T00:00:00Z","history":[{"created":"x","created_by":"RUN a"}]}`,
			reb:   `{"created":"2025-01-01T00:00:00Z","history":[{"created":"y","created_by":"RUN a"}]}`,
			norms: []Normalization{Timestamps},
		},
		{
			name: "fields", pub: `{"config":{"Env":["A=1"],"User":""},"rootfs":{"diff_ids":["sha256:a"]}}`,
			reb: `{"config":{"Env":["A=2","B=3"],"Labels":{"x":"y"}},"rootfs":{"diff_ids":["sha256:b"]}}`,
			rows: []FieldDiff{
				{Field: "config.Env[0]", Published: "A=1", Rebuilt: "A=2"},
				{Field: "config.Env[1]", Published: "(absent)", Rebuilt: "B=3"},
				{Field: "config.Labels", Published: "(absent)", Rebuilt: `{"x":"y"}`},
				{Field: "config.User", Published: "", Rebuilt: "(absent)"},
				{Field: "rootfs.diff_ids[0]", Published: "sha256:a", Rebuilt: "sha256:b"},
			},
		},
		{
			name: "shortened", pub: `{"x":"` + long + `"}`, reb: `{"x":1}`,
			rows: []FieldDiff{{Field: "x", Published: strings.Repeat("é", 100) + "…", Rebuilt: "1"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := diffConfig([]byte(tc.pub), []byte(tc.reb))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.rows, res.rows); d != "" {
				t.Errorf("rows (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.norms, slices.Sorted(maps.Keys(res.norms))); d != "" {
				t.Errorf("normalizations (-want +got):\n%s", d)
			}
		})
	}
	if _, err := diffConfig([]byte(`{`), []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "published config") {
		t.Errorf("a broken config: %v, want an error naming it", err)
	}
}

func TestDiffManifest(t *testing.T) {
	t.Parallel()
	pub := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:a","size":1},` +
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"sha256:b","size":2}]}`
	reb := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":3},` +
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:d","size":4}],` +
		`"annotations":{"k":"v"},"subject":null}`
	res, err := diffManifest([]byte(pub), []byte(reb))
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldDiff{
		{Field: "manifest.annotations", Published: "(absent)", Rebuilt: `{"k":"v"}`},
		{Field: "manifest.subject", Published: "(absent)", Rebuilt: "null"},
	}
	if d := cmp.Diff(want, res.rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Normalization{MediaTypes}, slices.Sorted(maps.Keys(res.norms))); d != "" {
		t.Errorf("normalizations (-want +got):\n%s", d)
	}
}
