package tlsgen

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestServerVerifiesForLoopback(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ca.Issue(Server("amd64"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	for _, name := range []string{"127.0.0.1", "localhost"} {
		if _, err := p.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := p.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com"}); err == nil {
		t.Error("verify for example.com: no error")
	}
	other, err := NewCA("other CA")
	if err != nil {
		t.Fatal(err)
	}
	otherRoots := x509.NewCertPool()
	otherRoots.AddCert(other.Cert)
	if _, err := p.Leaf.Verify(x509.VerifyOptions{Roots: otherRoots, DNSName: "localhost"}); err == nil {
		t.Error("verify against another CA: no error")
	}
}

func TestExpired(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	s := Server("old")
	s.NotBefore, s.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	p, err := ca.Issue(s)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	_, err = p.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"})
	var ce x509.CertificateInvalidError
	if !asInvalid(err, &ce) || ce.Reason != x509.Expired {
		t.Errorf("verify: %v, want an Expired error", err)
	}
}

func asInvalid(err error, ce *x509.CertificateInvalidError) bool {
	c, ok := err.(x509.CertificateInvalidError)
	*ce = c
	return ok
}

func TestDirKeepsWhatIsFresh(t *testing.T) {
	dir := t.TempDir()
	wrote, err := Dir(dir, []string{"amd64", "s390x"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ca.pem", "ca-key.pem", "client.pem", "client-key.pem", "amd64.pem", "amd64-key.pem", "s390x.pem", "s390x-key.pem"}
	if !slices.Equal(wrote, want) {
		t.Errorf("first Dir wrote %v, want %v", wrote, want)
	}
	if wrote, err = Dir(dir, []string{"amd64", "s390x", "arm64v8"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"arm64v8.pem", "arm64v8-key.pem"}; !slices.Equal(wrote, want) {
		t.Errorf("second Dir wrote %v, want %v", wrote, want)
	}
	ca, err := LoadCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "arm64v8.pem"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(ca.Cert); err != nil {
		t.Errorf("arm64v8.pem is not signed by ca.pem: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "client-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("client-key.pem mode %v, want 0600", fi.Mode().Perm())
	}
}
