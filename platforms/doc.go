// Package platforms maps Docker Official Images ("bashbrew") architecture
// names, such as "amd64", "arm32v7" or "windows-amd64", to OCI platforms and
// back, and orders platforms the way the production pipeline lays them out
// in an OCI index.
//
// Look up the platform of an architecture, and the architecture of a
// platform:
//
//	p, err := platforms.OCI("arm64v8") // linux/arm64/v8
//	if errors.Is(err, platforms.ErrUnknownArch) { ... }
//	arch, err := platforms.FromOCI(p) // "arm64v8"
//
// Take an architecture or platform from the user:
//
//	arch, err := platforms.ParseArchOrPlatform("linux/arm64") // "arm64v8"
//	p, err := platforms.ParseStrict("linux/arm/v7")
//
// # Architectures
//
// The known names, listed by [Names], and their platforms are those of
// bashbrew's architecture/oci-platform.go:
//
//	Name           Platform
//	amd64          linux/amd64
//	arm32v5        linux/arm/v5
//	arm32v6        linux/arm/v6
//	arm32v7        linux/arm/v7
//	arm64v8        linux/arm64/v8
//	i386           linux/386
//	mips64le       linux/mips64le
//	ppc64le        linux/ppc64le
//	riscv64        linux/riscv64
//	s390x          linux/s390x
//	windows-amd64  windows/amd64
//
// [Host] gives the name for the machine it runs on.
//
// # Normalization
//
// [Normalize] applies containerd's normalisation, so "aarch64" is "arm64"
// and a bare "arm" is "arm/v7", but unlike containerd writes arm64 with
// variant "v8", as bashbrew does. [Format], [FromOCI], [Matches] and
// [Compare] normalise first, so a worker that advertises "linux/arm64"
// matches "arm64v8":
//
//	platforms.Matches("arm64v8", ocispec.Platform{OS: "linux", Architecture: "arm64"}) // true
//
// None of these look at OSVersion or OSFeatures except [Compare]; matching
// Windows versions is left to callers.
//
// # Parsing
//
// [ParseStrict] accepts only "OS/ARCH" or "OS/ARCH/VARIANT". A lone "arm64"
// or "linux" is refused, because containerd would fill in the missing half
// from the host, which makes a build depend on where it runs.
//
// # Ordering
//
// [Compare] and [Sort] put linux first, then amd64, arm64 and the other
// architectures alphabetically, higher variants first and newer Windows
// versions first:
//
//	platforms.Sort(ps) // linux/amd64, linux/arm64/v8, linux/386, linux/arm/v7, …, windows/amd64
package platforms
