package platforms

import (
	"errors"
	"runtime"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestHost(t *testing.T) {
	got, err := Host()
	if err != nil {
		t.Skipf("host has no bashbrew architecture: %v", err)
	}
	if !IsKnown(got) {
		t.Errorf("Host() = %q, not a known architecture", got)
	}
	want := map[string]string{"amd64": "amd64", "arm64": "arm64v8", "386": "i386", "s390x": "s390x", "ppc64le": "ppc64le", "riscv64": "riscv64", "mips64le": "mips64le"}[runtime.GOARCH]
	if runtime.GOOS == "windows" && want == "amd64" {
		want = "windows-amd64"
	}
	if want != "" && got != want {
		t.Errorf("Host() = %q, want %q on %s/%s", got, want, runtime.GOOS, runtime.GOARCH)
	}
}

func TestHostArch(t *testing.T) {
	tests := []struct {
		name string
		p    ocispec.Platform
		want string
	}{
		{"linux amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, "amd64"},
		{"linux arm64 v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "arm64v8"},
		{"linux arm64 unknown variant", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "unknown"}, "arm64v8"},
		{"linux arm v5", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v5"}, "arm32v5"},
		{"linux arm v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, "arm32v6"},
		{"linux arm v7", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "arm32v7"},
		{"32-bit arm on ARMv8", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v8"}, "arm32v7"},
		{"arm cpuinfo unreadable", ocispec.Platform{OS: "linux", Architecture: "arm"}, "arm32v7"},
		{"linux 386", ocispec.Platform{OS: "linux", Architecture: "386"}, "i386"},
		{"linux mips64le", ocispec.Platform{OS: "linux", Architecture: "mips64le"}, "mips64le"},
		{"linux ppc64le", ocispec.Platform{OS: "linux", Architecture: "ppc64le"}, "ppc64le"},
		{"linux riscv64", ocispec.Platform{OS: "linux", Architecture: "riscv64"}, "riscv64"},
		{"linux s390x", ocispec.Platform{OS: "linux", Architecture: "s390x"}, "s390x"},
		{"windows amd64", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}, "windows-amd64"},
		{"darwin arm64", ocispec.Platform{OS: "darwin", Architecture: "arm64"}, "arm64v8"},
		{"freebsd amd64", ocispec.Platform{OS: "freebsd", Architecture: "amd64"}, "amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostArch(tt.p)
			if err != nil || got != tt.want {
				t.Errorf("hostArch(%+v) = %q, %v; want %q", tt.p, got, err, tt.want)
			}
		})
	}
}

func TestHostArchUnknown(t *testing.T) {
	tests := []struct {
		name string
		p    ocispec.Platform
	}{
		{"arm v4", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v4"}},
		{"arm unknown variant", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "unknown"}},
		{"loong64", ocispec.Platform{OS: "linux", Architecture: "loong64"}},
		{"windows arm64", ocispec.Platform{OS: "windows", Architecture: "arm64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hostArch(tt.p)
			if !errors.Is(err, ErrUnknownArch) {
				t.Errorf("hostArch(%+v) = %q, %v; want ErrUnknownArch", tt.p, got, err)
			}
		})
	}
}
