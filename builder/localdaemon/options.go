package localdaemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/brewkit/brewkit/platforms"
)

// DefaultAddress is the socket a BuildKit daemon listens on by default.
const DefaultAddress = "unix:///run/buildkit/buildkitd.sock"

// DefaultStartTimeout bounds how long Find waits for a buildkitd it started
// to answer, unless [WithStartTimeout] says otherwise.
const DefaultStartTimeout = time.Minute

// Option configures Find.
type Option func(*options) error

type options struct {
	getenv       func(string) string
	buildkitd    string // explicit binary, or "" to search PATH
	stateDir     string // "" means the default, computed from the environment
	root         string // "" means a temporary root
	defaultAddr  string
	startTimeout time.Duration
	concurrency  int
	arch         string // the arch a started daemon builds natively; "" means the host's
	tlsListener  *TLSListener
}

// TLSListener is a second listener of a started daemon: tcp://Addr, with
// TLS, requiring client certificates signed by the CA in CAFile.
type TLSListener struct {
	// Addr is "HOST:PORT", such as "127.0.0.1:9601".
	Addr string
	// CAFile, CertFile and KeyFile are PEM files: the CA of the clients'
	// certificates, and the daemon's certificate and key.
	CAFile, CertFile, KeyFile string
}

// WithTLSListener makes a started daemon also listen on l (buildkitd's
// --addr tcp://... --tlscacert --tlscert --tlskey); the worker it is
// described as stays the unix socket. Every field of l is required.
func WithTLSListener(l TLSListener) Option {
	return func(o *options) error {
		if l.Addr == "" || l.CAFile == "" || l.CertFile == "" || l.KeyFile == "" {
			return fmt.Errorf("WithTLSListener(%+v): want Addr, CAFile, CertFile and KeyFile", l)
		}
		o.tlsListener = &l
		return nil
	}
}

// WithEnv makes getenv the environment Find reads: BUILDKIT_HOST, PATH and
// XDG_RUNTIME_DIR. The default is an empty environment.
func WithEnv(getenv func(string) string) Option {
	return func(o *options) error {
		if getenv == nil {
			return errors.New("WithEnv(nil): want a function")
		}
		o.getenv = getenv
		return nil
	}
}

// WithBuildkitd makes Find start the buildkitd binary at path when it
// needs to start one. The default is "buildkitd" found in the environment's
// PATH.
func WithBuildkitd(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("WithBuildkitd: empty path")
		}
		o.buildkitd = path
		return nil
	}
}

// WithStateDir is where a started daemon gets its directory (socket,
// config, log). The default is $XDG_RUNTIME_DIR/brewkit, else
// brewkit-UID in the system's temporary directory.
func WithStateDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithStateDir: empty directory")
		}
		o.stateDir = dir
		return nil
	}
}

// WithRoot is the root (BuildKit's state and cache) of a started daemon,
// kept across runs. When another buildkitd holds it, or by default, the
// daemon gets a temporary root that Stop removes.
func WithRoot(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("WithRoot: empty directory")
		}
		o.root = dir
		return nil
	}
}

// WithDefaultAddress replaces [DefaultAddress], the socket tried when
// $BUILDKIT_HOST is not set. It must be a unix:// or tcp:// address.
func WithDefaultAddress(addr string) Option {
	return func(o *options) error {
		if !strings.HasPrefix(addr, "unix://") && !strings.HasPrefix(addr, "tcp://") {
			return fmt.Errorf("WithDefaultAddress(%q): want unix:///PATH or tcp://HOST:PORT", addr)
		}
		o.defaultAddr = addr
		return nil
	}
}

// WithStartTimeout bounds how long Find waits for a started daemon to
// answer; d must be positive. The default is [DefaultStartTimeout].
func WithStartTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithStartTimeout(%s): want a positive duration", d)
		}
		o.startTimeout = d
		return nil
	}
}

// WithConcurrency is how many builds the daemon's worker takes at once
// (its [workers.Worker.Concurrency]); n must be positive. The default is
// the number of CPUs.
func WithConcurrency(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("WithConcurrency(%d): want a positive number", n)
		}
		o.concurrency = n
		return nil
	}
}

// WithArch makes a started daemon build the bashbrew architecture arch
// natively (its --oci-worker-platform); the default is the host's. It is
// for test farms: a daemon that emulates its native arch is slow.
func WithArch(arch string) Option {
	return func(o *options) error {
		if !platforms.IsKnown(arch) {
			return fmt.Errorf("WithArch(%q): unknown architecture", arch)
		}
		o.arch = arch
		return nil
	}
}

// makeOptions applies opts over the defaults.
func makeOptions(opts []Option) (options, error) {
	o := options{
		getenv:       func(string) string { return "" },
		defaultAddr:  DefaultAddress,
		startTimeout: DefaultStartTimeout,
		concurrency:  runtime.NumCPU(),
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	if o.stateDir == "" {
		o.stateDir = defaultStateDir(o.getenv)
	}
	return o, nil
}

// defaultStateDir is $XDG_RUNTIME_DIR/brewkit, else brewkit-UID in the
// temporary directory.
func defaultStateDir(getenv func(string) string) string {
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "brewkit")
	}
	return filepath.Join(os.TempDir(), "brewkit-"+strconv.Itoa(os.Getuid()))
}
