package builder_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// closedTCPAddress returns a tcp:// address on loopback that nobody listens on.
func closedTCPAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "tcp://" + addr
}

// staleSocket returns the address of a unix socket file whose listener is
// gone, as a killed buildkitd leaves behind.
func staleSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	return "unix://" + path
}

// silentTCP returns the address of a listener that accepts connections and
// never says a word, so only the probe timeout ends a probe.
func silentTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return "tcp://" + l.Addr().String()
}

func TestProbeDown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		address func(t *testing.T) string
		opts    []builder.ProbeOption
		wantErr []string
		wantIs  error
		within  time.Duration
	}{
		{
			name:    "missing unix socket",
			address: func(t *testing.T) string { return "unix://" + filepath.Join(t.TempDir(), "nope.sock") },
			wantErr: []string{"cannot connect: dial unix ", "nope.sock: connect: no such file or directory"},
			wantIs:  syscall.ENOENT,
			within:  2 * time.Second,
		},
		{
			name:    "stale unix socket",
			address: staleSocket,
			wantErr: []string{"cannot connect: dial unix ", "stale.sock: connect: connection refused"},
			wantIs:  syscall.ECONNREFUSED,
			within:  2 * time.Second,
		},
		{
			name:    "closed tcp port",
			address: closedTCPAddress,
			wantErr: []string{"cannot connect: dial tcp 127.0.0.1:", "connection refused"},
			wantIs:  syscall.ECONNREFUSED,
			within:  2 * time.Second,
		},
		{
			name:    "silent tcp listener",
			address: silentTCP,
			opts:    []builder.ProbeOption{builder.WithProbeTimeout(300 * time.Millisecond)},
			wantErr: []string{"no answer within 300ms"},
			within:  2 * time.Second,
		},
		{
			name:    "bad option",
			address: closedTCPAddress,
			opts:    []builder.ProbeOption{builder.WithProbeTimeout(0)},
			wantErr: []string{"probe timeout 0s: want a positive duration"},
			within:  time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := workers.Worker{Name: "w", Address: tt.address(t), Arches: []string{"amd64"}}
			start := time.Now()
			s := builder.Probe(t.Context(), w, tt.opts...)
			took := time.Since(start)
			if s.Up || s.OK() || s.Err == nil {
				t.Fatalf("Probe(%s) = Up %v, OK %v, Err %v; want down with an error", w.Address, s.Up, s.OK(), s.Err)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(s.Err.Error(), want) {
					t.Errorf("Probe(%s).Err = %q, want it to contain %q", w.Address, s.Err, want)
				}
			}
			if tt.wantIs != nil && !errors.Is(s.Err, tt.wantIs) {
				t.Errorf("Probe(%s).Err = %v, want it to wrap %v", w.Address, s.Err, tt.wantIs)
			}
			var pe *builder.ProbeError
			if !errors.As(s.Err, &pe) || pe.Worker.Name != w.Name {
				t.Errorf("Probe(%s).Err = %#v, want a *ProbeError for worker %q", w.Address, s.Err, w.Name)
			}
			if took > tt.within {
				t.Errorf("Probe(%s) took %s, want at most %s", w.Address, took, tt.within)
			}
			if s.Worker.Name != w.Name {
				t.Errorf("status is for worker %q, want %q", s.Worker.Name, w.Name)
			}
		})
	}
}

func TestProbeErrorNamesWorker(t *testing.T) {
	t.Parallel()
	w := workers.Worker{Name: "far", Address: closedTCPAddress(t), Arches: []string{"s390x"}}
	s := builder.Probe(t.Context(), w)
	if want := `worker "far" at ` + w.Address + ": "; s.Err == nil || !strings.HasPrefix(s.Err.Error(), want) {
		t.Fatalf("Probe().Err = %v, want it to start with %q", s.Err, want)
	}
}

func TestProbeCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := builder.Probe(ctx, workers.Worker{Name: "w", Address: silentTCP(t), Arches: []string{"amd64"}})
	if s.Up || s.Err == nil {
		t.Fatalf("Probe(cancelled) = Up %v, Err %v; want down", s.Up, s.Err)
	}
}

func TestProbeAllKeepsOrder(t *testing.T) {
	t.Parallel()
	var ws []workers.Worker
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		ws = append(ws, workers.Worker{Name: name, Address: closedTCPAddress(t), Arches: []string{"amd64"}})
	}
	got := builder.ProbeAll(t.Context(), ws)
	if len(got) != len(ws) {
		t.Fatalf("ProbeAll returned %d statuses, want %d", len(got), len(ws))
	}
	for i, s := range got {
		if s.Worker.Name != ws[i].Name || s.Up {
			t.Errorf("status %d = worker %q up %v, want %q down", i, s.Worker.Name, s.Up, ws[i].Name)
		}
	}
}

func TestDialChecksWorker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		w       workers.Worker
		wantErr string
	}{
		{
			name:    "invalid address",
			w:       workers.Worker{Name: "w", Address: "unix://rel.sock", Arches: []string{"amd64"}},
			wantErr: `worker "w": address "unix://rel.sock": socket path "rel.sock" is not absolute`,
		},
		{
			name: "missing CA file",
			w: workers.Worker{Name: "w", Address: "tcp://127.0.0.1:1", Arches: []string{"amd64"},
				TLS: &workers.TLS{CA: "/nonexistent/ca.pem"}},
			wantErr: `worker "w" at tcp://127.0.0.1:1: TLS: cannot read the CA file: open /nonexistent/ca.pem`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := builder.Dial(t.Context(), tt.w)
			if err == nil {
				c.Close()
				t.Fatalf("Dial() = nil error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Dial() error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestWorkerStatusOK(t *testing.T) {
	t.Parallel()
	amd64 := []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}
	for _, tt := range []struct {
		s    builder.WorkerStatus
		want bool
	}{
		{builder.WorkerStatus{Up: true, Platforms: amd64}, true},
		{builder.WorkerStatus{Up: true, MissingArches: []string{"s390x"}}, false},
		{builder.WorkerStatus{}, false},
	} {
		if got := tt.s.OK(); got != tt.want {
			t.Errorf("%+v.OK() = %v, want %v", tt.s, got, tt.want)
		}
	}
}
