package platforms

import (
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Normalize returns p in canonical form: containerd's [platforms.Normalize]
// (lower case, "aarch64" → "arm64", "x86_64" → "amd64", "linux/arm" →
// "linux/arm/v7", …) except that arm64 always carries Variant "v8", the form
// bashbrew uses, and that an empty OS stays empty instead of becoming the
// host's. OSVersion and OSFeatures are kept.
func Normalize(p ocispec.Platform) ocispec.Platform {
	os := p.OS
	p = platforms.Normalize(p)
	if os == "" {
		p.OS = ""
	}
	if p.Architecture == "arm64" && p.Variant == "" {
		p.Variant = "v8"
	}
	return p
}

// Format returns "os/arch[/variant]" for p after [Normalize], such as
// "linux/amd64", "linux/arm/v7" or "linux/arm64/v8". OSVersion and OSFeatures
// are left out. A platform without an OS is "unknown", as in containerd.
func Format(p ocispec.Platform) string {
	return platforms.Format(Normalize(p))
}
