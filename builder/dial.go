package builder

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/connhelper"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	// BuildKit's connection helpers, registered for their schemes: a
	// worker's address may be anything buildctl --addr takes.
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// Dial returns a BuildKit client for w; close it when done. It checks w as
// [workers.Validate] does and reads w's TLS files, but does not connect: the
// first request does, and fails if nobody answers. Use [Probe] to find out
// whether w answers. Errors name the worker and its address; TLS files that
// cannot be read are a *[TLSError].
//
// With TLS, an empty CA means the system's roots and an empty ServerName
// the host of the address. Addresses other than unix:// and tcp:// go
// through BuildKit's connection helpers (ssh://, docker-container://,
// kube-pod://, podman-container://, nerdctl-container://).
func Dial(ctx context.Context, w workers.Worker) (*client.Client, error) {
	c, _, err := dial(ctx, w)
	return c, err
}

// dial is Dial, also returning the dialer, which knows why a connection
// failed.
func dial(ctx context.Context, w workers.Worker) (*client.Client, *dialer, error) {
	if err := workers.Validate([]workers.Worker{w}); err != nil {
		return nil, nil, err
	}
	d, err := newDialer(w)
	if err == nil {
		var c *client.Client
		if c, err = connect(ctx, w, d); err == nil {
			return c, d, nil
		}
	}
	return nil, nil, fmt.Errorf("worker %q at %s: %w", w.Name, w.Address, err)
}

// connect is Dial for a valid w, through d, with errors that do not name w.
func connect(ctx context.Context, w workers.Worker, d *dialer) (*client.Client, error) {
	opts := []client.ClientOpt{client.WithContextDialer(d.dial)}
	if w.TLS != nil {
		cfg, err := tlsConfig(w.TLS)
		if err != nil {
			return nil, err
		}
		// BuildKit's own TLS options would hide why a handshake failed
		// in the text of an Unavailable status: these credentials
		// record it in d. They come after BuildKit's (insecure) ones,
		// and the last transport credentials win.
		creds := recordingCreds{TransportCredentials: credentials.NewTLS(cfg), d: d}
		opts = append(opts, client.WithGRPCDialOption(grpc.WithTransportCredentials(creds)))
		if w.TLS.ServerName != "" {
			opts = append(opts, client.WithGRPCDialOption(grpc.WithAuthority(w.TLS.ServerName)))
		}
	}
	return client.New(ctx, w.Address, opts...)
}

// tlsConfig is the client TLS configuration of t, as BuildKit's client
// makes it.
func tlsConfig(t *workers.TLS) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	if t.CA == "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return nil, &TLSError{Reason: "cannot load the system's roots", Err: err}
		}
		cfg.RootCAs = pool
	} else {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return nil, &TLSError{Reason: "cannot read the CA file", Err: err}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, &TLSError{Reason: "no PEM certificate in the CA file " + t.CA}
		}
	}
	if t.Cert != "" {
		pair, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, &TLSError{Reason: "cannot load the client certificate", Err: err}
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// TLSError says why brewkit and a worker could not agree on TLS: the
// worker's certificate is not signed by the CA brewkit trusts for it, has
// expired, or is for another name; the worker refused brewkit's client
// certificate; or the TLS files cannot be read. Trying again will not
// help until someone fixes the certificates or the workers file, so it
// reports itself as unusable (see [scheduler.IsUnusable]): the pool takes
// the worker out of service instead of waiting for it.
type TLSError struct {
	// Reason says what is wrong, in words, such as "its certificate has
	// expired".
	Reason string
	// Err is the error of crypto/tls or crypto/x509, if any.
	Err error
}

// Error says "TLS: " and the reason, then the cause.
func (e *TLSError) Error() string {
	if e.Err == nil {
		return "TLS: " + e.Reason
	}
	return fmt.Sprintf("TLS: %s: %v", e.Reason, e.Err)
}

// Unwrap returns the cause.
func (e *TLSError) Unwrap() error { return e.Err }

// Unusable reports true: see [scheduler.Unusable].
func (e *TLSError) Unusable() bool { return true }

// handshakeError explains err, the failure of a TLS handshake with a
// worker, as a *TLSError.
func handshakeError(err error, t *tls.Config) *TLSError {
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &unknown):
		return &TLSError{Reason: "the worker's certificate is not signed by a CA brewkit trusts for it (tls: ca)", Err: err}
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return &TLSError{Reason: "the worker's certificate has expired or is not valid yet", Err: err}
	case errors.As(err, &invalid):
		return &TLSError{Reason: "the worker's certificate is not valid", Err: err}
	case errors.As(err, &hostname):
		want := t.ServerName
		if want == "" {
			want = hostname.Host
		}
		return &TLSError{Reason: fmt.Sprintf("the worker's certificate is not for %s (tls: servername)", want), Err: err}
	case errors.As(err, &op) && op.Op == "remote error":
		return &TLSError{Reason: "the worker refused the TLS handshake, most likely brewkit's client certificate (tls: cert, key)", Err: err}
	}
	return &TLSError{Reason: "the TLS handshake with the worker failed (does it speak TLS on that port?)", Err: err}
}

// recordingCreds are TLS transport credentials that record in d why a
// handshake failed, including a refusal the server sends only after the
// handshake (TLS 1.3 checks the client's certificate then).
type recordingCreds struct {
	credentials.TransportCredentials
	d *dialer
}

func (c recordingCreds) ClientHandshake(ctx context.Context, authority string, raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ClientHandshake(ctx, authority, raw)
	if err != nil {
		if ctx.Err() == nil {
			c.d.record(handshakeError(err, c.d.tlsConfig()))
		}
		return nil, nil, err
	}
	ac := &alertConn{Conn: conn, d: c.d}
	if ti, ok := info.(credentials.TLSInfo); ok && ti.State.Version >= tls.VersionTLS13 {
		if err := ac.peek(ctx); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	return ac, info, nil
}

// maxPeek bounds how long a TLS 1.3 handshake waits for the server's first
// bytes.
const maxPeek = 5 * time.Second

// peek reads the server's first bytes, which a gRPC server sends at once
// (its SETTINGS frame), and keeps them for Read: with TLS 1.3 the server
// checks brewkit's client certificate after the handshake, and a refusal
// is an alert in place of those bytes. Read after the client's first write
// instead, the alert may be lost to a reset connection. A server that
// says nothing within maxPeek (or ctx's deadline) is left to gRPC.
func (c *alertConn) peek(ctx context.Context) error {
	deadline := time.Now().Add(maxPeek)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.Conn.SetReadDeadline(deadline); err != nil {
		return nil // not worth failing for
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	c.pending = buf[:n]
	if derr := c.Conn.SetReadDeadline(time.Time{}); derr != nil && err == nil {
		err = derr
	}
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	return err
}

func (c recordingCreds) Clone() credentials.TransportCredentials {
	return recordingCreds{TransportCredentials: c.TransportCredentials.Clone(), d: c.d}
}

// alertConn records a TLS alert the server sends after the handshake.
type alertConn struct {
	net.Conn
	d *dialer
	// only the reading goroutine touches these
	read    bool   // something was read
	pending []byte // read by peek, not yet by Read
}

func (c *alertConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	n, err := c.Conn.Read(p)
	if n > 0 && !c.read {
		c.read = true
		c.d.record(nil) // the server talks: it took the client's certificate
	}
	var op *net.OpError
	if err != nil && errors.As(err, &op) && op.Op == "remote error" {
		c.d.record(handshakeError(err, c.d.tlsConfig()))
	}
	return n, err
}

// dialer connects to a worker's address and remembers the last failure,
// which gRPC reports only as text inside an Unavailable status.
type dialer struct {
	network, addr string
	helper        func(ctx context.Context, addr string) (net.Conn, error) // a connection helper's, or nil
	serverName    string

	mu      sync.Mutex
	lastErr error
}

// newDialer returns a dialer for the valid address of w.
func newDialer(w workers.Worker) (*dialer, error) {
	scheme, rest, _ := strings.Cut(w.Address, "://")
	d := &dialer{network: scheme, addr: rest}
	if w.TLS != nil {
		d.serverName = w.TLS.ServerName
	}
	if scheme == "unix" || scheme == "tcp" {
		return d, nil
	}
	h, err := connhelper.GetConnectionHelper(w.Address)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("no connection helper for %s://", scheme)
	}
	d.helper = h.ContextDialer
	return d, nil
}

// dial is a gRPC context dialer; gRPC's idea of the address is ignored in
// favour of the worker's.
func (d *dialer) dial(ctx context.Context, _ string) (net.Conn, error) {
	var (
		c   net.Conn
		err error
	)
	if d.helper != nil {
		c, err = d.helper(ctx, d.addr)
	} else {
		var nd net.Dialer
		c, err = nd.DialContext(ctx, d.network, d.addr)
	}
	if err != nil || d.tlsErr() == nil { // a TLS failure stands until a handshake works
		d.record(err)
	}
	return c, err
}

// record sets the error of the last connection attempt.
func (d *dialer) record(err error) {
	d.mu.Lock()
	d.lastErr = err
	d.mu.Unlock()
}

// tlsConfig is what handshakeError needs to know of the TLS configuration.
func (d *dialer) tlsConfig() *tls.Config { return &tls.Config{ServerName: d.serverName} }

// err returns the error of the last connection attempt, nil if it worked or
// there was none.
func (d *dialer) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

// tlsErr returns the error of the last connection attempt if it was a
// *TLSError, else nil.
func (d *dialer) tlsErr() error {
	var te *TLSError
	if err := d.err(); errors.As(err, &te) {
		return err
	}
	return nil
}
