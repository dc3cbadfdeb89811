package dockerfile

import (
	"strings"
	"testing"
)

var digest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"debian", "debian:latest"},
		{"debian:bookworm-slim", "debian:bookworm-slim"},
		{"debian:latest", "debian:latest"},
		{"docker.io/library/debian", "docker.io/library/debian:latest"},
		{"library/debian", "library/debian:latest"},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"localhost:5000/img", "localhost:5000/img:latest"},
		{"127.0.0.1:5000/ns/img", "127.0.0.1:5000/ns/img:latest"},
		{"127.0.0.1:5000/ns/img:1.2", "127.0.0.1:5000/ns/img:1.2"},
		{"127.0.0.1:5000/ns/img@" + digest, "127.0.0.1:5000/ns/img@" + digest},
		{"debian:12@" + digest, "debian:12@" + digest},
		{"scratch", "scratch"},
		{"SCRATCH", "SCRATCH:latest"},
		{"", ":latest"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := Normalize(tc.in)
			if got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize(%q) = %q, not idempotent", got, again)
			}
		})
	}
}

// The expectations were checked against BuildKit v0.34.2 itself: a
// Dockerfile2LLB run whose frontend options held only "context:KEY" (and
// "context:KEY::linux/arm64") used the named context for each FROM.
func TestFamiliarName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo", "foo"},
		{"foo:latest", "foo"},
		{"foo:1.2", "foo:1.2"},
		{"docker.io/library/foo:latest", "foo"},
		{"docker.io/library/foo:1.2", "foo:1.2"},
		{"index.docker.io/library/foo", "foo"},
		{"docker.io/foo", "foo"},
		{"library/foo:1", "foo:1"},
		{"user/foo", "user/foo"},
		{"docker.io/user/foo:latest", "user/foo"},
		{"registry-1.docker.io/library/foo", "registry-1.docker.io/library/foo"},
		{"127.0.0.1:5000/ns/img:latest", "127.0.0.1:5000/ns/img"},
		{"localhost:5000/img", "localhost:5000/img"},
		{"mcr.microsoft.com/windows/servercore:ltsc2022", "mcr.microsoft.com/windows/servercore:ltsc2022"},
		{"foo@" + digest, "foo@" + digest},
		{"foo:latest@" + digest, "foo:latest@" + digest},
		{"foo:1.2@" + digest, "foo:1.2@" + digest},
		{"scratch", ""},
		{"Foo", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := FamiliarName(tc.in); got != tc.want {
				t.Errorf("FamiliarName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
