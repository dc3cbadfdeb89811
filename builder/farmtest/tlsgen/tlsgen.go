// Package tlsgen makes throwaway TLS material for BuildKit workers: a
// certificate authority, server certificates for daemons, and client
// certificates for brewkit, all with crypto/x509 (no openssl). It is for
// test farms, never for production keys.
//
//	ca, err := tlsgen.NewCA("brewkit test CA")
//	srv, err := ca.Issue(tlsgen.Server("amd64")) // SAN 127.0.0.1 and localhost
//	cli, err := ca.Issue(tlsgen.Client("brewkit"))
//	err = srv.Write(dir, "amd64") // amd64.pem, amd64-key.pem
//
// [Dir] does the same for a directory that hack/farm keeps across runs.
package tlsgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// DefaultValidity is how long certificates are valid unless their Spec
// says otherwise.
const DefaultValidity = 365 * 24 * time.Hour

// CA is a certificate authority that issues certificates.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Pair is a certificate and its private key, both PEM-encoded.
type Pair struct {
	Cert, Key []byte
	// Leaf is the parsed certificate.
	Leaf *x509.Certificate
}

// Spec describes a certificate to issue.
type Spec struct {
	// CommonName is the subject's common name.
	CommonName string
	// DNSNames and IPs are the subject alternative names.
	DNSNames []string
	IPs      []net.IP
	// Server and Client set the extended key usages.
	Server, Client bool
	// NotBefore and NotAfter bound its validity; zero means from an hour
	// ago, and DefaultValidity after NotBefore.
	NotBefore, NotAfter time.Time
}

// Server is the Spec of a daemon's certificate, valid for 127.0.0.1 and
// localhost.
func Server(name string) Spec {
	return Spec{CommonName: name, DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Server: true}
}

// Client is the Spec of a client certificate.
func Client(name string) Spec {
	return Spec{CommonName: name, Client: true}
}

// NewCA makes a certificate authority valid for DefaultValidity.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(DefaultValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// Issue makes a key and a certificate for s, signed by ca.
func (ca *CA) Issue(s Spec) (Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	serial, err := serialNumber()
	if err != nil {
		return Pair{}, err
	}
	nb, na := s.NotBefore, s.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.Add(DefaultValidity)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: s.CommonName},
		DNSNames:     s.DNSNames,
		IPAddresses:  s.IPs,
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if s.Server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	if s.Client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return Pair{}, fmt.Errorf("issuing a certificate for %q: %w", s.CommonName, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return Pair{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Pair{}, err
	}
	return Pair{
		Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		Key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		Leaf: leaf,
	}, nil
}

// CertPEM returns the CA's certificate, PEM-encoded.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Write writes ca's certificate to dir/ca.pem and its key to
// dir/ca-key.pem (mode 0600).
func (ca *CA) Write(dir string) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		return err
	}
	return errors.Join(
		writeFile(filepath.Join(dir, "ca.pem"), ca.CertPEM(), 0o644),
		writeFile(filepath.Join(dir, "ca-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
}

// LoadCA reads a CA that [CA.Write] wrote to dir.
func LoadCA(dir string) (*CA, error) {
	cert, err := readCert(filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("%s: no PEM block", filepath.Join(dir, "ca-key.pem"))
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "ca-key.pem"), err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: not a signing key", filepath.Join(dir, "ca-key.pem"))
	}
	return &CA{Cert: cert, Key: signer}, nil
}

// Write writes p to dir/NAME.pem and dir/NAME-key.pem (mode 0600), and
// returns their paths.
func (p Pair) Write(dir, name string) (cert, key string, err error) {
	cert, key = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	err = errors.Join(writeFile(cert, p.Cert, 0o644), writeFile(key, p.Key, 0o600))
	return cert, key, err
}

// Dir keeps a CA and certificates in dir for a farm that outlives one
// run: it loads the CA there or makes one (ca.pem, ca-key.pem), then
// makes a server certificate NAME.pem, NAME-key.pem for each of servers
// and a client certificate client.pem, client-key.pem, except those that
// exist, were signed by that CA and stay valid for another day. It
// returns the names of the files it wrote.
func Dir(dir string, servers []string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var wrote []string
	ca, err := LoadCA(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !fresh(ca.Cert, nil)) {
		if ca, err = NewCA("brewkit throwaway CA"); err == nil {
			err = ca.Write(dir)
			wrote = append(wrote, "ca.pem", "ca-key.pem")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("CA in %s: %w", dir, err)
	}
	specs := map[string]Spec{"client": Client("brewkit")}
	names := []string{"client"}
	for _, s := range servers {
		if _, dup := specs[s]; !dup {
			names = append(names, s)
		}
		specs[s] = Server(s)
	}
	for _, name := range names {
		if c, err := readCert(filepath.Join(dir, name+".pem")); err == nil && fresh(c, ca) {
			if _, err := os.Stat(filepath.Join(dir, name+"-key.pem")); err == nil {
				continue
			}
		}
		p, err := ca.Issue(specs[name])
		if err != nil {
			return wrote, err
		}
		if _, _, err := p.Write(dir, name); err != nil {
			return wrote, err
		}
		wrote = append(wrote, name+".pem", name+"-key.pem")
	}
	return wrote, nil
}

// fresh reports whether c stays valid for another day and, with ca, was
// signed by it.
func fresh(c *x509.Certificate, ca *CA) bool {
	if time.Now().Add(24 * time.Hour).After(c.NotAfter) {
		return false
	}
	return ca == nil || c.CheckSignatureFrom(ca.Cert) == nil
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// writeFile writes data to path through a temporary file, so that a
// reader never sees half a key.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}
