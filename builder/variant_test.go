package builder

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
)

func TestKeepVariant(t *testing.T) {
	const arm64 = `{"architecture":"arm64","os":"linux","config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":[]},"future":{"x":1}}`
	tests := []struct {
		name, platform, config string
		want                   map[string]any // the config's fields after, nil: unchanged
	}{
		{"arm64v8 from scratch", "linux/arm64/v8", arm64,
			map[string]any{"architecture": "arm64", "os": "linux", "variant": "v8", "config": map[string]any{"Env": []any{"A=1"}},
				"rootfs": map[string]any{"type": "layers", "diff_ids": []any{}}, "future": map[string]any{"x": float64(1)}}},
		{"already v8", "linux/arm64/v8", `{"architecture":"arm64","os":"linux","variant":"v8"}`, nil},
		{"another variant kept", "linux/arm64/v8", `{"architecture":"arm64","os":"linux","variant":"v9"}`, nil},
		{"another arch", "linux/arm64/v8", `{"architecture":"amd64","os":"linux"}`, nil},
		{"no variant wanted", "linux/amd64", `{"architecture":"amd64","os":"linux"}`, nil},
		{"arm v7", "linux/arm/v7", `{"architecture":"arm","os":"linux"}`, map[string]any{"architecture": "arm", "os": "linux", "variant": "v7"}},
		{"no platform", "", arm64, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			meta := map[string][]byte{
				exptypes.ExporterImageConfigKey:                []byte(tc.config),
				exptypes.ExporterImageConfigKey + "/linux-arm": []byte(tc.config),
				exptypes.ExporterImageBaseConfigKey:            []byte(tc.config), // the parent's: never touched
			}
			if err := keepVariant(meta, tc.platform); err != nil {
				t.Fatal(err)
			}
			if string(meta[exptypes.ExporterImageBaseConfigKey]) != tc.config {
				t.Errorf("base config changed: %s", meta[exptypes.ExporterImageBaseConfigKey])
			}
			for _, k := range []string{exptypes.ExporterImageConfigKey, exptypes.ExporterImageConfigKey + "/linux-arm"} {
				if tc.want == nil {
					if string(meta[k]) != tc.config {
						t.Errorf("%s changed: %s", k, meta[k])
					}
					continue
				}
				var got map[string]any
				if err := json.Unmarshal(meta[k], &got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
		})
	}
}

func TestKeepVariantErrors(t *testing.T) {
	if err := keepVariant(map[string][]byte{exptypes.ExporterImageConfigKey: []byte("{")}, "linux/arm64/v8"); err == nil {
		t.Error("a config that is not JSON: no error")
	}
	if err := keepVariant(map[string][]byte{}, "arm64"); err == nil {
		t.Error("platform \"arm64\": no error")
	}
}
