package farmtest

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest/tlsgen"
	"github.com/brewkit/brewkit/builder/localdaemon"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TLS is throwaway TLS material for a test's daemons, made with
// hack/tlsgen's code: a CA, and a client certificate it signed for brewkit.
type TLS struct {
	// CA signs the daemons' and the client's certificates.
	CA *tlsgen.CA
	// Dir holds the files.
	Dir string
	// CAFile, ClientCert and ClientKey are the CA's certificate and the
	// client's pair, PEM files in Dir.
	CAFile, ClientCert, ClientKey string
}

// NewTLS makes a CA and a client certificate in a temporary directory.
func NewTLS(t testing.TB) *TLS {
	t.Helper()
	dir := t.TempDir()
	ca, err := tlsgen.NewCA("brewkit test CA")
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Write(dir); err != nil {
		t.Fatal(err)
	}
	x := &TLS{CA: ca, Dir: dir, CAFile: filepath.Join(dir, "ca.pem")}
	x.ClientCert, x.ClientKey = x.Issue(t, "client", tlsgen.Client("brewkit"))
	return x
}

// Issue writes a pair for spec, signed by the CA, as Dir/NAME.pem and
// Dir/NAME-key.pem, and returns their paths.
func (x *TLS) Issue(t testing.TB, name string, spec tlsgen.Spec) (cert, key string) {
	t.Helper()
	p, err := x.CA.Issue(spec)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err = p.Write(x.Dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// Client is the tls block of a worker for brewkit: the CA and the client
// certificate.
func (x *TLS) Client() *workers.TLS {
	return &workers.TLS{CA: x.CAFile, Cert: x.ClientCert, Key: x.ClientKey}
}

// BuildkitdOption configures StartBuildkitd.
type BuildkitdOption func(*buildkitdOptions)

type buildkitdOptions struct {
	tls        *TLS
	serverSpec tlsgen.Spec
}

// WithTLSListener has the daemon also listen on a free loopback TCP port
// with mutual TLS: its certificate is spec (such as [tlsgen.Server]), signed
// by x's CA, and it requires clients certificates signed by that CA.
// [Buildkitd.TLSWorker] then describes it there.
func WithTLSListener(x *TLS, spec tlsgen.Spec) BuildkitdOption {
	return func(o *buildkitdOptions) { o.tls, o.serverSpec = x, spec }
}

// freePort returns a loopback address whose port was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// tlsListener writes the daemon's pair and returns its listener and the
// worker that reaches it.
func (o buildkitdOptions) tlsListener(t testing.TB, arch string) (localdaemon.TLSListener, workers.Worker) {
	t.Helper()
	name := "buildkitd-" + arch + "-" + freePortSuffix(t)
	cert, key := o.tls.Issue(t, name, o.serverSpec)
	l := localdaemon.TLSListener{Addr: freePort(t), CAFile: o.tls.CAFile, CertFile: cert, KeyFile: key}
	w := workers.Worker{Name: "test-" + arch + "-tls", Address: "tcp://" + l.Addr, Arches: []string{arch}, TLS: o.tls.Client()}
	return l, w
}

// freePortSuffix is a unique suffix for file names: a free port number.
func freePortSuffix(t testing.TB) string {
	_, port, _ := net.SplitHostPort(freePort(t))
	return port
}
