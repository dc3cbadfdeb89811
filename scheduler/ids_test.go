package scheduler

import "testing"

// The production pipeline's own examples (meta-scripts .test/sources.json
// and builds.json, recomputed by hand in the reference notes).
func TestIDs(t *testing.T) {
	src := SourceID("52d3d61b1e9d12310646ec3935698a5825bf568cecc5b5fbbf4e4c4a59e53e8b", "Dockerfile", "buildkit")
	if want := "76d7d7d66aeb62eb797c8475407e6cd2b6ad262957a622035f81fb93e532b36b"; src != want {
		t.Errorf("SourceID = %s, want %s", src, want)
	}
	build := BuildID(src, "amd64", []Parent{{"alpine:3.18", "sha256:d695c3de6fcd8cfe3a6222b0358425d40adfd129a8a47c3416faff1a8aece389"}})
	if want := "4b199ac326c74b3058a147e14f553af9e8e1659abc29bd3e82c9c9807b66ee43"; build != want {
		t.Errorf("BuildID = %s, want %s", build, want)
	}
}

func TestBuildIDParentOrderMatters(t *testing.T) {
	a := BuildID("s", "amd64", []Parent{{"a:1", "sha256:1"}, {"b:1", "sha256:2"}})
	b := BuildID("s", "amd64", []Parent{{"b:1", "sha256:2"}, {"a:1", "sha256:1"}})
	none := BuildID("s", "amd64", nil)
	if a == b || a == none || BuildID("s", "arm64v8", nil) == none {
		t.Error("BuildID ignores its inputs")
	}
}

func TestNormalizeBuilder(t *testing.T) {
	tests := []struct {
		builder, arch, want string
		err                 bool
	}{
		{"", "amd64", BuilderBuildKit, false},
		{"", "windows-amd64", BuilderClassic, false},
		{"buildkit", "s390x", BuilderBuildKit, false},
		{"oci-import", "arm64v8", BuilderOCIImport, false},
		{"classic", "windows-amd64", BuilderClassic, false},
		{"classic", "amd64", "", true},
		{"kaniko", "amd64", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeBuilder(tt.builder, tt.arch)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("NormalizeBuilder(%q, %q) = %q, %v", tt.builder, tt.arch, got, err)
		}
	}
}
