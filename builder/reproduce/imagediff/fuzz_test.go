package imagediff

import (
	"bytes"
	"context"
	"errors"
	"path"
	"strings"
	"testing"
	"time"
)

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, unsafe string
	}{
		{"etc/passwd", "etc/passwd", ""},
		{"./etc/", "etc", ""},
		{"./", ".", ""},
		{"a/../b", "b", ""},
		{"a/../../b", "../b", "escapes the root"},
		{"../../etc/passwd", "../../etc/passwd", "escapes the root"},
		{"..", "..", "escapes the root"},
		{"/abs", "/abs", "absolute path"},
		{"", ".", "empty path"},
		{"..foo/bar", "..foo/bar", ""},
	} {
		key, unsafe := cleanPath(tc.name)
		if key != tc.key || unsafe != tc.unsafe {
			t.Errorf("cleanPath(%q) = %q, %q; want %q, %q", tc.name, key, unsafe, tc.key, tc.unsafe)
		}
	}
}

// FuzzCleanPath checks a path called safe stays under the root.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"etc/passwd", "./a/", "../x", "/abs", "a/../../b", "a//b/./c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key, unsafe := cleanPath(name)
		if unsafe != "" {
			return
		}
		if key != "." && (path.IsAbs(key) || key == ".." || strings.HasPrefix(key, "../") || path.Clean(key) != key) {
			t.Errorf("cleanPath(%q) = %q, safe", name, key)
		}
	})
}

// FuzzReadLayer checks that any bytes read as a layer give entries or an
// error, never a panic, and that the entries of a safe path have a clean
// key.
func FuzzReadLayer(f *testing.F) {
	f.Add(tarBytes(f, base()))
	f.Add(tarBytes(f, []ent{symlink("evil", "/"), reg("evil/x", "y"), reg("../z", "")}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		files, err := readLayer(ctx, bytes.NewReader(data))
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("reading %q: %v", data, err)
		}
		if err != nil {
			return
		}
		for key, e := range files {
			if e.unsafe == "" && (strings.HasPrefix(key, "/") || strings.HasPrefix(key, "../") || key == "..") {
				t.Errorf("entry %q is safe", key)
			}
		}
	})
}
