package platforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const platformExample = "linux/arm64/v8"

// ParseStrict parses a platform given by a user, such as "linux/arm64",
// "linux/arm/v7" or "windows/amd64", and returns it normalised by
// [Normalize]. Unlike containerd's [platforms.Parse] it requires both OS and
// architecture, so that nothing is filled in from the host, and it rejects
// operating systems and architectures unknown to containerd. Windows
// versions are accepted in containerd's syntax, "windows(10.0.20348)/amd64",
// and kept in OSVersion.
func ParseStrict(s string) (ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: want OS/ARCH[/VARIANT], such as %q", s, platformExample)
	}
	p, err := platforms.Parse(s)
	if err != nil {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: %w", s, err)
	}
	p = Normalize(p)
	if !knownOS(p.OS) {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: unknown OS %q, want one such as \"linux\" or \"windows\"", s, p.OS)
	}
	if !knownArch(p.Architecture) {
		return ocispec.Platform{}, fmt.Errorf("invalid platform %q: unknown architecture %q, want one such as \"amd64\" or \"arm64\"", s, p.Architecture)
	}
	return p, nil
}

// ParseArchOrPlatform accepts either a bashbrew architecture name, such as
// "arm64v8", or a platform for [ParseStrict], such as "linux/arm64", and
// returns the bashbrew architecture name. Errors for names and platforms
// without a bashbrew architecture wrap [ErrUnknownArch].
func ParseArchOrPlatform(s string) (string, error) {
	if IsKnown(s) {
		return s, nil
	}
	if !strings.Contains(s, "/") {
		return "", fmt.Errorf("%w %q: want an architecture (one of %s) or a platform such as %q",
			ErrUnknownArch, s, strings.Join(Names(), ", "), platformExample)
	}
	p, err := ParseStrict(s)
	if err != nil {
		return "", err
	}
	return FromOCI(p)
}

// knownOS reports whether containerd knows the normalised OS name. Parsing a
// lone component gives an OS unchanged only when it is a known OS; a known
// architecture gets the host's OS, which is never an architecture name.
func knownOS(os string) bool {
	p, err := platforms.Parse(os)
	return err == nil && p.OS == os
}

// knownArch reports whether containerd knows the normalised architecture.
// Parsing a lone component gives that architecture only when it is a known
// one; a known OS gets the host's architecture, which is never an OS name.
func knownArch(arch string) bool {
	p, err := platforms.Parse(arch)
	return err == nil && p.Architecture == arch
}
