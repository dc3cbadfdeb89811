package platforms_test

import (
	"testing"

	"github.com/brewkit/brewkit/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   ocispec.Platform
		want ocispec.Platform
	}{
		{"arm64 gains v8", ocispec.Platform{OS: "linux", Architecture: "arm64"}, ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"arm64 v8 kept", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"aarch64 8", ocispec.Platform{OS: "linux", Architecture: "aarch64", Variant: "8"}, ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"arm gains v7", ocispec.Platform{OS: "linux", Architecture: "arm"}, ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{"arm 6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "6"}, ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}},
		{"amd64 v1 dropped", ocispec.Platform{OS: "linux", Architecture: "amd64", Variant: "v1"}, ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{"upper case", ocispec.Platform{OS: "Linux", Architecture: "X86_64"}, ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{"i386", ocispec.Platform{OS: "linux", Architecture: "i386"}, ocispec.Platform{OS: "linux", Architecture: "386"}},
		{"empty OS stays empty", ocispec.Platform{Architecture: "amd64"}, ocispec.Platform{Architecture: "amd64"}},
		{"empty", ocispec.Platform{}, ocispec.Platform{}},
		{
			"OS version and features kept",
			ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2113", OSFeatures: []string{"win32k"}},
			ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2113", OSFeatures: []string{"win32k"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := platforms.Normalize(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize(%+v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if again := platforms.Normalize(got); !cmp.Equal(got, again) {
				t.Errorf("Normalize is not idempotent: %+v → %+v", got, again)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		in   ocispec.Platform
		want string
	}{
		{"amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, "linux/amd64"},
		{"arm64 without variant", ocispec.Platform{OS: "linux", Architecture: "arm64"}, "linux/arm64/v8"},
		{"arm64 v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "linux/arm64/v8"},
		{"arm without variant", ocispec.Platform{OS: "linux", Architecture: "arm"}, "linux/arm/v7"},
		{"arm v5", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v5"}, "linux/arm/v5"},
		{"x86_64", ocispec.Platform{OS: "linux", Architecture: "x86_64"}, "linux/amd64"},
		{"windows drops version", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763"}, "windows/amd64"},
		{"no OS", ocispec.Platform{Architecture: "amd64"}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := platforms.Format(tt.in); got != tt.want {
				t.Errorf("Format(%+v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
