package platforms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseStrict(t *testing.T) {
	tests := []struct {
		in   string
		want ocispec.Platform
	}{
		{"linux/amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{"linux/arm64", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"linux/arm64/v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"linux/aarch64", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{"linux/arm", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{"linux/arm/v7", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{"linux/arm/6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}},
		{"linux/x86_64", ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{"LINUX/AMD64", ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{"linux/loong64", ocispec.Platform{OS: "linux", Architecture: "loong64"}},
		{"windows/amd64", ocispec.Platform{OS: "windows", Architecture: "amd64"}},
		{"windows(10.0.20348)/amd64", ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := platforms.ParseStrict(tt.in)
			if err != nil {
				t.Fatalf("ParseStrict(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseStrict(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseStrictRejects(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"empty", "", `invalid platform "": want OS/ARCH[/VARIANT], such as "linux/arm64/v8"`},
		{"arch only", "arm64", `invalid platform "arm64": want OS/ARCH[/VARIANT], such as "linux/arm64/v8"`},
		{"OS only", "linux", `invalid platform "linux": want OS/ARCH[/VARIANT], such as "linux/arm64/v8"`},
		{"empty arch", "linux/", `invalid platform "linux/": want OS/ARCH[/VARIANT]`},
		{"empty OS", "/amd64", `invalid platform "/amd64": want OS/ARCH[/VARIANT]`},
		{"empty variant", "linux/arm/", `invalid platform "linux/arm/": want OS/ARCH[/VARIANT]`},
		{"four components", "a/b/c/d", `invalid platform "a/b/c/d": want OS/ARCH[/VARIANT]`},
		{"unknown arch", "linux/bogus", `invalid platform "linux/bogus": unknown architecture "bogus"`},
		{"unknown OS", "bogus/amd64", `invalid platform "bogus/amd64": unknown OS "bogus"`},
		{"OS as arch", "linux/linux", `invalid platform "linux/linux": unknown architecture "linux"`},
		{"arch as OS", "amd64/amd64", `invalid platform "amd64/amd64": unknown OS "amd64"`},
		{"bad characters", "linux/amd 64", `invalid platform "linux/amd 64": `},
		{"wildcard", "linux/*", `invalid platform "linux/*": `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := platforms.ParseStrict(tt.in)
			if err == nil {
				t.Fatalf("ParseStrict(%q) = %+v, want error", tt.in, got)
			}
			if !strings.HasPrefix(err.Error(), tt.wantMsg) {
				t.Errorf("ParseStrict(%q) error = %q, want prefix %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestParseArchOrPlatform(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"arm64v8", "arm64v8"},
		{"windows-amd64", "windows-amd64"},
		{"i386", "i386"},
		{"linux/arm64", "arm64v8"},
		{"linux/arm64/v8", "arm64v8"},
		{"linux/arm", "arm32v7"},
		{"linux/arm/v5", "arm32v5"},
		{"linux/386", "i386"},
		{"windows/amd64", "windows-amd64"},
		{"windows(10.0.17763)/amd64", "windows-amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := platforms.ParseArchOrPlatform(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseArchOrPlatform(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseArchOrPlatformRejects(t *testing.T) {
	tests := []struct {
		name, in string
		unknown  bool // whether the error wraps ErrUnknownArch
	}{
		{"empty", "", true},
		{"GOARCH name", "arm64", true},
		{"OS", "linux", true},
		{"unsupported platform", "linux/loong64", true},
		{"unsupported variant", "linux/amd64/v3", true},
		{"darwin", "darwin/arm64", true},
		{"malformed", "linux/", false},
		{"bogus arch", "linux/bogus", false},
		{"four components", "a/b/c/d", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := platforms.ParseArchOrPlatform(tt.in)
			if err == nil {
				t.Fatalf("ParseArchOrPlatform(%q) = %q, want error", tt.in, got)
			}
			if errors.Is(err, platforms.ErrUnknownArch) != tt.unknown {
				t.Errorf("ParseArchOrPlatform(%q) error = %v; errors.Is(ErrUnknownArch) should be %v", tt.in, err, tt.unknown)
			}
			if !strings.Contains(err.Error(), `"`+tt.in+`"`) && !strings.Contains(err.Error(), tt.in) {
				t.Errorf("ParseArchOrPlatform(%q) error %q does not name the input", tt.in, err)
			}
		})
	}
}

func FuzzParseStrict(f *testing.F) {
	for _, s := range []string{
		"", "linux", "arm64", "linux/", "/amd64", "a/b/c/d", "linux/bogus",
		"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/armel", "windows/amd64",
		"windows(10.0.20348)/amd64", "LINUX/X86_64/V1", "linux/arm64/8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := platforms.ParseStrict(s)
		if err != nil {
			return
		}
		formatted := platforms.Format(p)
		again, err := platforms.ParseStrict(formatted)
		if err != nil {
			t.Fatalf("ParseStrict(%q) = %+v, but ParseStrict(%q) of its Format: %v", s, p, formatted, err)
		}
		p.OSVersion = "" // Format leaves it out
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("ParseStrict(%q) → Format → ParseStrict(%q) mismatch (-first +second):\n%s", s, formatted, diff)
		}
	})
}

func FuzzParseArchOrPlatform(f *testing.F) {
	for _, s := range append(platforms.Names(), "", "arm64", "linux", "linux/arm64", "linux/arm", "windows/amd64", "linux/bogus") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		arch, err := platforms.ParseArchOrPlatform(s)
		if err != nil {
			return
		}
		p, err := platforms.OCI(arch)
		if err != nil {
			t.Fatalf("ParseArchOrPlatform(%q) = %q, which OCI rejects: %v", s, arch, err)
		}
		if back, err := platforms.ParseArchOrPlatform(platforms.Format(p)); err != nil || back != arch {
			t.Fatalf("ParseArchOrPlatform(%q) = %q, but its platform %q gives %q, %v", s, arch, platforms.Format(p), back, err)
		}
	})
}
