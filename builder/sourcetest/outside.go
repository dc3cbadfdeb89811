package sourcetest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Outside is a directory outside any work directory, standing for the
// host's files: it holds one secret file that hostile sources link to,
// and nothing else. After the run, [Outside.Check] says whether anything
// was written there, and [Outside.Leaked] whether output carries the
// secret.
type Outside struct {
	Dir    string
	Secret string // random, so it cannot appear by chance
}

// NewOutside creates the directory and its secret file.
func NewOutside(t testing.TB) *Outside {
	t.Helper()
	b := make([]byte, 16)
	rand.Read(b)
	o := &Outside{Dir: t.TempDir(), Secret: "brewkit-canary-" + hex.EncodeToString(b)}
	if err := os.WriteFile(o.SecretFile(), []byte(o.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return o
}

// SecretFile is the secret file's absolute path.
func (o *Outside) SecretFile() string { return filepath.Join(o.Dir, "secret") }

// Up is a relative symlink target that climbs from depth directories
// below a repository's root to the host's root and then names the secret
// file: what "../../.." chains in a hostile tree look like.
func (o *Outside) Up(depth int) string {
	return strings.Repeat("../", depth+64) + strings.TrimPrefix(o.SecretFile(), "/")
}

// Check fails t if the directory holds anything but the unchanged secret.
func (o *Outside) Check(t testing.TB) {
	t.Helper()
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "secret" {
			t.Errorf("%s was written outside the work directory", filepath.Join(o.Dir, e.Name()))
		}
	}
	if b, err := os.ReadFile(o.SecretFile()); err != nil || string(b) != o.Secret+"\n" {
		t.Errorf("the secret file was changed: %q, %v", b, err)
	}
}

// Leaked reports whether data holds the secret.
func (o *Outside) Leaked(data []byte) bool { return bytes.Contains(data, []byte(o.Secret)) }
