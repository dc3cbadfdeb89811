package platforms_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// table is the bashbrew architecture table, verbatim from
// architecture/oci-platform.go.
var table = []struct {
	arch, os, architecture, variant, str string
}{
	{"amd64", "linux", "amd64", "", "linux/amd64"},
	{"arm32v5", "linux", "arm", "v5", "linux/arm/v5"},
	{"arm32v6", "linux", "arm", "v6", "linux/arm/v6"},
	{"arm32v7", "linux", "arm", "v7", "linux/arm/v7"},
	{"arm64v8", "linux", "arm64", "v8", "linux/arm64/v8"},
	{"i386", "linux", "386", "", "linux/386"},
	{"mips64le", "linux", "mips64le", "", "linux/mips64le"},
	{"ppc64le", "linux", "ppc64le", "", "linux/ppc64le"},
	{"riscv64", "linux", "riscv64", "", "linux/riscv64"},
	{"s390x", "linux", "s390x", "", "linux/s390x"},
	{"windows-amd64", "windows", "amd64", "", "windows/amd64"},
}

func TestNames(t *testing.T) {
	var want []string
	for _, e := range table {
		want = append(want, e.arch)
	}
	got := platforms.Names()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
	if !slices.IsSorted(got) {
		t.Errorf("Names() = %v, not sorted", got)
	}
	got[0] = "mutated"
	if platforms.Names()[0] != "amd64" {
		t.Error("Names() shares its slice between calls")
	}
}

func TestIsKnown(t *testing.T) {
	tests := []struct {
		name, arch string
		want       bool
	}{
		{"amd64", "amd64", true},
		{"arm64v8", "arm64v8", true},
		{"windows-amd64", "windows-amd64", true},
		{"empty", "", false},
		{"GOARCH arm64", "arm64", false},
		{"platform", "linux/amd64", false},
		{"upper case", "AMD64", false},
		{"bogus", "bogus", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := platforms.IsKnown(tt.arch); got != tt.want {
				t.Errorf("IsKnown(%q) = %v, want %v", tt.arch, got, tt.want)
			}
		})
	}
}

func TestOCI(t *testing.T) {
	for _, e := range table {
		t.Run(e.arch, func(t *testing.T) {
			got, err := platforms.OCI(e.arch)
			if err != nil {
				t.Fatalf("OCI(%q): %v", e.arch, err)
			}
			want := ocispec.Platform{OS: e.os, Architecture: e.architecture, Variant: e.variant}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("OCI(%q) mismatch (-want +got):\n%s", e.arch, diff)
			}
		})
	}
}

func TestOCIUnknown(t *testing.T) {
	for _, arch := range []string{"", "x", "arm64", "linux/amd64", "Amd64"} {
		t.Run(arch, func(t *testing.T) {
			_, err := platforms.OCI(arch)
			if !errors.Is(err, platforms.ErrUnknownArch) {
				t.Fatalf("OCI(%q) error = %v, want ErrUnknownArch", arch, err)
			}
			want := `unknown architecture "` + arch + `" (known: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, mips64le, ppc64le, riscv64, s390x, windows-amd64)`
			if err.Error() != want {
				t.Errorf("OCI(%q) error = %q, want %q", arch, err, want)
			}
		})
	}
}

// TestRoundTrip takes every arch through OCI → Format → ParseStrict → FromOCI.
func TestRoundTrip(t *testing.T) {
	for _, e := range table {
		t.Run(e.arch, func(t *testing.T) {
			p, err := platforms.OCI(e.arch)
			if err != nil {
				t.Fatal(err)
			}
			s := platforms.Format(p)
			if s != e.str {
				t.Errorf("Format(OCI(%q)) = %q, want %q", e.arch, s, e.str)
			}
			parsed, err := platforms.ParseStrict(s)
			if err != nil {
				t.Fatalf("ParseStrict(%q): %v", s, err)
			}
			if diff := cmp.Diff(p, parsed); diff != "" {
				t.Errorf("ParseStrict(%q) mismatch (-want +got):\n%s", s, diff)
			}
			arch, err := platforms.FromOCI(parsed)
			if err != nil || arch != e.arch {
				t.Errorf("FromOCI(%v) = %q, %v; want %q", parsed, arch, err, e.arch)
			}
		})
	}
}

func TestFromOCI(t *testing.T) {
	tests := []struct {
		name string
		p    ocispec.Platform
		want string
	}{
		{"arm64 without variant", ocispec.Platform{OS: "linux", Architecture: "arm64"}, "arm64v8"},
		{"arm64 v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, "arm64v8"},
		{"arm64 bare 8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "8"}, "arm64v8"},
		{"aarch64", ocispec.Platform{OS: "linux", Architecture: "aarch64"}, "arm64v8"},
		{"arm without variant", ocispec.Platform{OS: "linux", Architecture: "arm"}, "arm32v7"},
		{"armhf", ocispec.Platform{OS: "linux", Architecture: "armhf"}, "arm32v7"},
		{"arm v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, "arm32v6"},
		{"x86_64", ocispec.Platform{OS: "Linux", Architecture: "x86_64"}, "amd64"},
		{"i386", ocispec.Platform{OS: "linux", Architecture: "i386"}, "i386"},
		{"windows with version", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.1", OSFeatures: []string{"win32k"}}, "windows-amd64"},
		{"linux with version", ocispec.Platform{OS: "linux", Architecture: "s390x", OSVersion: "5.0"}, "s390x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := platforms.FromOCI(tt.p)
			if err != nil || got != tt.want {
				t.Errorf("FromOCI(%+v) = %q, %v; want %q", tt.p, got, err, tt.want)
			}
		})
	}
}

func TestFromOCIUnknown(t *testing.T) {
	tests := []struct {
		name string
		p    ocispec.Platform
	}{
		{"empty", ocispec.Platform{}},
		{"no OS", ocispec.Platform{Architecture: "amd64"}},
		{"darwin", ocispec.Platform{OS: "darwin", Architecture: "arm64"}},
		{"windows arm64", ocispec.Platform{OS: "windows", Architecture: "arm64"}},
		{"amd64 v3", ocispec.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}},
		{"arm v8", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v8"}},
		{"loong64", ocispec.Platform{OS: "linux", Architecture: "loong64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := platforms.FromOCI(tt.p)
			if !errors.Is(err, platforms.ErrUnknownArch) {
				t.Fatalf("FromOCI(%+v) = %q, %v; want ErrUnknownArch", tt.p, got, err)
			}
			if !strings.Contains(err.Error(), platforms.Format(tt.p)) {
				t.Errorf("FromOCI(%+v) error %q does not name the platform", tt.p, err)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name string
		arch string
		p    ocispec.Platform
		want bool
	}{
		{"worker arm64 without variant", "arm64v8", ocispec.Platform{OS: "linux", Architecture: "arm64"}, true},
		{"arm64 v8", "arm64v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, true},
		{"arm without variant is v7", "arm32v7", ocispec.Platform{OS: "linux", Architecture: "arm"}, true},
		{"arm v7 is not v6", "arm32v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, false},
		{"windows ignores version", "windows-amd64", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763.5458"}, true},
		{"linux is not windows", "windows-amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}, false},
		{"windows is not linux", "amd64", ocispec.Platform{OS: "windows", Architecture: "amd64"}, false},
		{"x86_64", "amd64", ocispec.Platform{OS: "linux", Architecture: "x86_64"}, true},
		{"unknown arch", "arm64", ocispec.Platform{OS: "linux", Architecture: "arm64"}, false},
		{"empty platform", "amd64", ocispec.Platform{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := platforms.Matches(tt.arch, tt.p); got != tt.want {
				t.Errorf("Matches(%q, %+v) = %v, want %v", tt.arch, tt.p, got, tt.want)
			}
		})
	}
}
