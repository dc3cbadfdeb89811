package platforms

import (
	"fmt"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Host returns the bashbrew architecture name of the machine it runs on, the
// Go counterpart of bashbrew-host-arch.sh: GOARCH, with the ARM variant that
// containerd's [platforms.DefaultSpec] reads from /proc/cpuinfo. Any OS but
// Windows counts as Linux, since that is what its container engine runs.
func Host() (string, error) {
	arch, err := hostArch(platforms.DefaultSpec())
	if err != nil {
		return "", fmt.Errorf("detecting host architecture: %w", err)
	}
	return arch, nil
}

// hostArch maps the host's platform to a bashbrew architecture name.
func hostArch(p ocispec.Platform) (string, error) {
	if p.OS != "windows" {
		p.OS = "linux"
	}
	switch p.Architecture {
	case "arm64":
		p.Variant = "v8" // the CPU may report more, bashbrew knows only v8
	case "arm":
		if p.Variant == "v8" {
			p.Variant = "v7" // 32-bit userland on an ARMv8 CPU is armhf
		}
	}
	return FromOCI(p)
}
