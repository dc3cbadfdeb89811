package gitsource

import (
	"path"
	"strings"
	"testing"
)

func TestSafeJoin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir, file string
		want      string
		wantErr   string
	}{
		{dir: "1.21/alpine", file: "Dockerfile", want: "1.21/alpine/Dockerfile"},
		{dir: ".", file: "Dockerfile", want: "Dockerfile"},
		{dir: "", file: "Dockerfile", want: "Dockerfile"},
		{dir: "1.21/alpine", file: ".", want: "1.21/alpine"},
		{dir: "1.21/alpine", file: "", want: "1.21/alpine"},
		{dir: ".", file: ".", want: "."},
		{dir: "./a//b/", file: "./c/../Dockerfile", want: "a/b/Dockerfile"},
		{dir: "a/../b", file: "Dockerfile", want: "b/Dockerfile"},
		{dir: "1.21/alpine", file: "../Dockerfile", want: "1.21/Dockerfile"},
		{dir: "1.21/alpine", file: "../../Dockerfile", want: "Dockerfile"},
		{dir: "..x", file: "Dockerfile", want: "..x/Dockerfile"},
		{dir: "../x", file: "Dockerfile", wantErr: `Directory "../x" escapes the repository`},
		{dir: "..", file: "Dockerfile", wantErr: `Directory ".." escapes the repository`},
		{dir: "a/../../x", file: "Dockerfile", wantErr: `Directory "a/../../x" escapes the repository`},
		{dir: "/etc", file: "passwd", wantErr: `Directory "/etc" escapes the repository`},
		{dir: "a\x00b", file: "Dockerfile", wantErr: `Directory "a\x00b" contains a NUL byte`},
		{dir: ".", file: "../Dockerfile", wantErr: `File "../Dockerfile" escapes the repository`},
		{dir: "1.21/alpine", file: "../../../etc/passwd", wantErr: `File "../../../etc/passwd" escapes the repository from Directory "1.21/alpine"`},
		{dir: "1.21", file: "/etc/passwd", wantErr: `File "/etc/passwd" escapes the repository`},
		{dir: ".", file: "a\x00", wantErr: `File "a\x00" contains a NUL byte`},
	} {
		got, err := SafeJoin(tc.dir, tc.file)
		switch {
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("SafeJoin(%q, %q) = %q, %v; want error %q", tc.dir, tc.file, got, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("SafeJoin(%q, %q) = %q, %v; want %q", tc.dir, tc.file, got, err, tc.want)
		}
	}
}

// FuzzSafeJoin checks that an accepted path is clean, relative and inside
// the repository.
func FuzzSafeJoin(f *testing.F) {
	for _, s := range [][2]string{{"1.21/alpine", "Dockerfile"}, {"../x", "y"}, {"a", "../../b"}, {"/", "a"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, dir, file string) {
		got, err := SafeJoin(dir, file)
		if err != nil {
			return
		}
		if got != path.Clean(got) || path.IsAbs(got) || got == ".." || strings.HasPrefix(got, "../") || strings.ContainsRune(got, 0) {
			t.Errorf("SafeJoin(%q, %q) = %q: not a clean path inside the repository", dir, file, got)
		}
	})
}
