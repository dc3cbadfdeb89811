package platforms

import (
	"errors"
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrUnknownArch is wrapped by every error that reports an architecture name
// or platform without a bashbrew architecture. Test for it with [errors.Is].
var ErrUnknownArch = errors.New("unknown architecture")

// archs maps bashbrew architecture names to their canonical (normalised) OCI
// platforms, sorted by name. It mirrors bashbrew's architecture/oci-platform.go.
// It is read-only: only copies of its entries leave this package.
var archs = [...]struct {
	name     string
	platform ocispec.Platform
}{
	{"amd64", ocispec.Platform{OS: "linux", Architecture: "amd64"}},
	{"arm32v5", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v5"}},
	{"arm32v6", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}},
	{"arm32v7", ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
	{"arm64v8", ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
	{"i386", ocispec.Platform{OS: "linux", Architecture: "386"}},
	{"mips64le", ocispec.Platform{OS: "linux", Architecture: "mips64le"}},
	{"ppc64le", ocispec.Platform{OS: "linux", Architecture: "ppc64le"}},
	{"riscv64", ocispec.Platform{OS: "linux", Architecture: "riscv64"}},
	{"s390x", ocispec.Platform{OS: "linux", Architecture: "s390x"}},
	{"windows-amd64", ocispec.Platform{OS: "windows", Architecture: "amd64"}},
}

// Names returns the known bashbrew architecture names, sorted. The slice is
// freshly allocated on every call, so callers may modify it.
func Names() []string {
	names := make([]string, len(archs))
	for i, a := range archs {
		names[i] = a.name
	}
	return names
}

// IsKnown reports whether arch is a known bashbrew architecture name, such
// as "amd64" or "arm64v8".
func IsKnown(arch string) bool {
	_, ok := lookup(arch)
	return ok
}

// OCI returns the canonical OCI platform of the bashbrew architecture arch;
// for example "arm64v8" is linux/arm64/v8 (Variant "v8"). The error for an
// unknown name wraps [ErrUnknownArch] and lists the known names.
func OCI(arch string) (ocispec.Platform, error) {
	p, ok := lookup(arch)
	if !ok {
		return ocispec.Platform{}, fmt.Errorf("%w %q (known: %s)",
			ErrUnknownArch, arch, strings.Join(Names(), ", "))
	}
	return p, nil
}

// FromOCI returns the bashbrew architecture name of p, after [Normalize];
// OSVersion and OSFeatures are ignored. Both "linux/arm64" and
// "linux/arm64/v8" give "arm64v8", and "linux/arm" gives "arm32v7". The error
// for a platform without a bashbrew architecture wraps [ErrUnknownArch].
func FromOCI(p ocispec.Platform) (string, error) {
	n := Normalize(p)
	for _, a := range archs {
		if sameTriplet(a.platform, n) {
			return a.name, nil
		}
	}
	return "", fmt.Errorf("%w for platform %q (known: %s)",
		ErrUnknownArch, Format(p), strings.Join(knownPlatforms(), ", "))
}

// Matches reports whether p is the platform of the bashbrew architecture
// arch, after [Normalize] and ignoring OSVersion and OSFeatures. A BuildKit
// worker advertising "linux/arm64" thus matches "arm64v8". It is false for
// unknown names.
func Matches(arch string, p ocispec.Platform) bool {
	want, ok := lookup(arch)
	return ok && sameTriplet(want, Normalize(p))
}

func lookup(arch string) (ocispec.Platform, bool) {
	for _, a := range archs {
		if a.name == arch {
			return a.platform, true
		}
	}
	return ocispec.Platform{}, false
}

func knownPlatforms() []string {
	ps := make([]string, len(archs))
	for i, a := range archs {
		ps[i] = Format(a.platform)
	}
	return ps
}

// sameTriplet compares OS, architecture and variant only.
func sameTriplet(a, b ocispec.Platform) bool {
	return a.OS == b.OS && a.Architecture == b.Architecture && a.Variant == b.Variant
}
