package platforms_test

import (
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func Example() {
	p, _ := platforms.OCI("arm64v8")
	fmt.Println(platforms.Format(p))

	arch, _ := platforms.ParseArchOrPlatform("linux/arm")
	fmt.Println(arch)

	worker := ocispec.Platform{OS: "linux", Architecture: "arm64"}
	fmt.Println(platforms.Matches("arm64v8", worker))

	_, err := platforms.ParseStrict("arm64")
	fmt.Println(err)

	_, err = platforms.OCI("arm64")
	fmt.Println(errors.Is(err, platforms.ErrUnknownArch))

	ps := []ocispec.Platform{
		{OS: "windows", Architecture: "amd64", OSVersion: "10.0.17763"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "linux", Architecture: "arm64"},
		{OS: "linux", Architecture: "amd64"},
	}
	platforms.Sort(ps)
	for _, p := range ps {
		fmt.Println(platforms.Format(p))
	}
	// Output:
	// linux/arm64/v8
	// arm32v7
	// true
	// invalid platform "arm64": want OS/ARCH[/VARIANT], such as "linux/arm64/v8"
	// true
	// linux/amd64
	// linux/arm64/v8
	// linux/arm/v7
	// windows/amd64
}
