package platforms_test

import (
	"testing"

	"github.com/brewkit/brewkit/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func linux(arch, variant string) ocispec.Platform {
	return ocispec.Platform{OS: "linux", Architecture: arch, Variant: variant}
}

func windows(version string) ocispec.Platform {
	return ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: version}
}

func TestSort(t *testing.T) {
	ps := []ocispec.Platform{
		linux("s390x", ""),
		windows("10.0.17763"),
		windows("10.0.20348"),
		linux("arm", "v6"),
		linux("arm64", "v8"),
		linux("386", ""),
		linux("arm", "v7"),
		linux("amd64", ""),
		linux("ppc64le", ""),
	}
	want := []ocispec.Platform{
		linux("amd64", ""),
		linux("arm64", "v8"),
		linux("386", ""),
		linux("arm", "v7"),
		linux("arm", "v6"),
		linux("ppc64le", ""),
		linux("s390x", ""),
		windows("10.0.20348"),
		windows("10.0.17763"),
	}
	platforms.Sort(ps)
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("Sort mismatch (-want +got):\n%s", diff)
	}
}

func TestSortAllArchs(t *testing.T) {
	var ps []ocispec.Platform
	for _, name := range []string{"windows-amd64", "s390x", "riscv64", "ppc64le", "mips64le", "i386", "arm64v8", "arm32v7", "arm32v6", "arm32v5", "amd64"} {
		p, err := platforms.OCI(name)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	platforms.Sort(ps)
	var got []string
	for _, p := range ps {
		got = append(got, platforms.Format(p))
	}
	want := []string{
		"linux/amd64", "linux/arm64/v8", "linux/386", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5",
		"linux/mips64le", "linux/ppc64le", "linux/riscv64", "linux/s390x", "windows/amd64",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sort mismatch (-want +got):\n%s", diff)
	}
}

func TestSortIsStable(t *testing.T) {
	a := ocispec.Platform{OS: "linux", Architecture: "arm64", OSFeatures: []string{"a"}}
	b := ocispec.Platform{OS: "linux", Architecture: "aarch64", Variant: "v8", OSFeatures: []string{"b"}}
	ps := []ocispec.Platform{b, a}
	platforms.Sort(ps)
	if diff := cmp.Diff([]ocispec.Platform{b, a}, ps); diff != "" {
		t.Errorf("Sort reordered equal platforms (-want +got):\n%s", diff)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b ocispec.Platform
		want int // sign only
	}{
		{"linux before windows", linux("s390x", ""), windows(""), -1},
		{"linux before darwin", linux("s390x", ""), ocispec.Platform{OS: "darwin", Architecture: "amd64"}, -1},
		{"darwin before windows", ocispec.Platform{OS: "darwin", Architecture: "amd64"}, windows(""), -1},
		{"amd64 before arm64", linux("amd64", ""), linux("arm64", "v8"), -1},
		{"arm64 before 386", linux("arm64", ""), linux("386", ""), -1},
		{"386 before arm", linux("386", ""), linux("arm", "v7"), -1},
		{"riscv64 before s390x", linux("riscv64", ""), linux("s390x", ""), -1},
		{"v7 before v6", linux("arm", "v7"), linux("arm", "v6"), -1},
		{"bare arm is v7", linux("arm", ""), linux("arm", "v7"), 0},
		{"bare arm64 is v8", linux("arm64", ""), linux("arm64", "v8"), 0},
		{"x86_64 is amd64", linux("x86_64", ""), linux("amd64", ""), 0},
		{"variant before none", linux("amd64", "v3"), linux("amd64", ""), -1},
		{"newer windows first", windows("10.0.20348"), windows("10.0.17763"), -1},
		{"windows build numerically", windows("10.0.20348"), windows("10.0.9200"), -1},
		{"windows revision", windows("10.0.20348.2113"), windows("10.0.20348"), -1},
		{"versioned before unversioned", windows("10.0.17763"), windows(""), -1},
		{"equal", windows("10.0.17763"), windows("10.0.17763"), 0},
		{"OS features ignored", ocispec.Platform{OS: "linux", Architecture: "amd64", OSFeatures: []string{"x"}}, linux("amd64", ""), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sign(platforms.Compare(tt.a, tt.b)); got != tt.want {
				t.Errorf("Compare(%+v, %+v) = %d, want sign %d", tt.a, tt.b, got, tt.want)
			}
			if got := sign(platforms.Compare(tt.b, tt.a)); got != -tt.want {
				t.Errorf("Compare(%+v, %+v) = %d, want sign %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
