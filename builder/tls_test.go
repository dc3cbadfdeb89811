package builder_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/farmtest/tlsgen"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// tlsServer listens on loopback with cert, requiring client certificates
// signed by clientCA, and completes handshakes (and reads) until the test
// ends. It returns the tcp:// address.
func tlsServer(t *testing.T, cert tlsgen.Pair, clientCA *tlsgen.CA) string {
	t.Helper()
	pair, err := tls.X509KeyPair(cert.Cert, cert.Key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Cert)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
		NextProtos: []string{"h2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.(*tls.Conn).Handshake()
				_, _ = c.Read(make([]byte, 1))
			}()
		}
	}()
	return "tcp://" + l.Addr().String()
}

// writeTLS writes ca's certificate and a client pair of signer into dir
// and returns the worker's TLS block.
func writeTLS(t *testing.T, dir string, ca, signer *tlsgen.CA) *workers.TLS {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	cli, err := signer.Issue(tlsgen.Client("brewkit"))
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := cli.Write(dir, "client")
	if err != nil {
		t.Fatal(err)
	}
	return &workers.TLS{CA: filepath.Join(dir, "ca.pem"), Cert: cert, Key: key}
}

func newCA(t *testing.T, name string) *tlsgen.CA {
	t.Helper()
	ca, err := tlsgen.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func issue(t *testing.T, ca *tlsgen.CA, s tlsgen.Spec) tlsgen.Pair {
	t.Helper()
	p, err := ca.Issue(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A worker whose certificate brewkit must not trust, or that refuses
// brewkit's, is reported with the reason, as an unusable worker (a
// configuration error, not a worker that is down).
func TestProbeTLSFailures(t *testing.T) {
	t.Parallel()
	ca, other := newCA(t, "farm CA"), newCA(t, "another CA")
	expired := tlsgen.Server("amd64")
	expired.NotBefore, expired.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	wrongName := tlsgen.Server("amd64")
	wrongName.DNSNames, wrongName.IPs = []string{"buildkit.example"}, []net.IP{net.IPv4(10, 0, 0, 7)}
	tests := []struct {
		name         string
		server       tlsgen.Pair
		clientSigner *tlsgen.CA // signs brewkit's client certificate
		serverName   string
		want         []string
		wantIs       any
	}{
		{"unknown CA", issue(t, other, tlsgen.Server("amd64")), ca, "",
			[]string{"TLS: the worker's certificate is not signed by a CA brewkit trusts for it (tls: ca)", "x509: certificate signed by unknown authority"},
			&x509.UnknownAuthorityError{}},
		{"expired", issue(t, ca, expired), ca, "",
			[]string{"TLS: the worker's certificate has expired or is not valid yet", "x509: certificate has expired"},
			&x509.CertificateInvalidError{}},
		{"another name", issue(t, ca, wrongName), ca, "",
			[]string{"TLS: the worker's certificate is not for 127.0.0.1 (tls: servername)", "x509: certificate is valid for 10.0.0.7, not 127.0.0.1"},
			&x509.HostnameError{}},
		{"another servername", issue(t, ca, tlsgen.Server("amd64")), ca, "buildkit.example",
			[]string{"TLS: the worker's certificate is not for buildkit.example (tls: servername)"},
			&x509.HostnameError{}},
		{"client certificate refused", issue(t, ca, tlsgen.Server("amd64")), other, "",
			[]string{"TLS: the worker refused the TLS handshake, most likely brewkit's client certificate (tls: cert, key)", "remote error: tls:"},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tlsConf := writeTLS(t, t.TempDir(), ca, tt.clientSigner)
			tlsConf.ServerName = tt.serverName
			w := workers.Worker{Name: "tls-amd64", Address: tlsServer(t, tt.server, ca), Arches: []string{"amd64"}, TLS: tlsConf}
			s := builder.Probe(t.Context(), w, builder.WithProbeTimeout(10*time.Second))
			if s.Up || s.Err == nil {
				t.Fatalf("Probe = up %v, err %v; want down with a TLS error", s.Up, s.Err)
			}
			msg := s.Err.Error()
			for _, want := range append([]string{`worker "tls-amd64" at ` + w.Address}, tt.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("Probe error %q\nwant it to contain %q", msg, want)
				}
			}
			var te *builder.TLSError
			if !errors.As(s.Err, &te) {
				t.Errorf("Probe error %#v is not a *TLSError", s.Err)
			}
			if !scheduler.IsUnusable(s.Err) {
				t.Errorf("Probe error %q is not unusable: the pool would wait for the worker", msg)
			}
			if tt.wantIs != nil && !errors.As(s.Err, tt.wantIs) {
				t.Errorf("Probe error %q does not wrap a %T", msg, tt.wantIs)
			}
		})
	}
}

// A worker that does not answer TLS is down, not unusable: TLS errors
// are only what the handshake says.
func TestProbeTLSClosedPortIsTransient(t *testing.T) {
	t.Parallel()
	ca := newCA(t, "farm CA")
	w := workers.Worker{Name: "w", Address: closedTCPAddress(t), Arches: []string{"amd64"}, TLS: writeTLS(t, t.TempDir(), ca, ca)}
	s := builder.Probe(t.Context(), w)
	if s.Up || scheduler.IsUnusable(s.Err) {
		t.Errorf("Probe = up %v, err %v; want down, not unusable", s.Up, s.Err)
	}
}
