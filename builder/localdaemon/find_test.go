package localdaemon

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/platforms"
)

// env is an environment for WithEnv.
func env(vars map[string]string) Option {
	return WithEnv(func(k string) string { return vars[k] })
}

// noDefault is a default socket nobody listens on.
func noDefault(t *testing.T) Option {
	return WithDefaultAddress("unix://" + filepath.Join(t.TempDir(), "none.sock"))
}

// fakeBin returns a PATH directory whose buildkitd is the test binary,
// which then acts as a fake daemon (see TestMain).
func fakeBin(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(self, filepath.Join(dir, "buildkitd")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func hostPlatform(t *testing.T) (string, string) {
	t.Helper()
	arch, err := platforms.Host()
	if err != nil {
		t.Skip(err)
	}
	p, err := platforms.OCI(arch)
	if err != nil {
		t.Fatal(err)
	}
	return arch, platforms.Format(p)
}

func TestFindExisting(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bk.sock")
	stop, err := serveFake(sock, "linux/arm64", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	addr := "unix://" + sock
	for _, tt := range []struct {
		name   string
		opts   []Option
		origin Origin
		desc   string
	}{
		{"BUILDKIT_HOST", []Option{env(map[string]string{"BUILDKIT_HOST": addr}), noDefault(t)}, FromEnv, addr + " ($BUILDKIT_HOST)"},
		{"default socket", []Option{WithDefaultAddress(addr)}, DefaultSocket, addr + " (the default socket)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Find(t.Context(), append(tt.opts, WithConcurrency(3))...)
			if err != nil {
				t.Fatal(err)
			}
			if d.Origin != tt.origin || d.Pid != 0 || d.String() != tt.desc {
				t.Errorf("Find = origin %v, pid %d, %q; want origin %v, pid 0, %q", d.Origin, d.Pid, d, tt.origin, tt.desc)
			}
			// The daemon's first platform is what it builds natively.
			if diff := cmp.Diff([]string{"arm64v8"}, d.Worker.Arches); diff != "" || d.Worker.Concurrency != 3 {
				t.Errorf("worker %+v: arches (-want +got):\n%s", d.Worker, diff)
			}
			if got := platformNames(d); !cmp.Equal(got, []string{"linux/arm64/v8", "linux/amd64"}) {
				t.Errorf("platforms %v, want the daemon's", got)
			}
			if err := d.Stop(); err != nil {
				t.Errorf("Stop of a daemon brewkit did not start: %v", err)
			}
		})
	}
}

func TestFindStarts(t *testing.T) {
	arch, platform := hostPlatform(t)
	state, root := t.TempDir(), filepath.Join(t.TempDir(), "root")
	opts := []Option{env(map[string]string{"PATH": "relative/dir:" + fakeBin(t)}), noDefault(t), WithStateDir(state), WithRoot(root)}
	d, err := Find(t.Context(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	if d.Origin != Started || d.Pid <= 0 || d.Root != root || !strings.HasPrefix(d.Worker.Address, "unix://"+state+"/buildkitd-") {
		t.Errorf("Find = %+v; want a daemon started with root %s and a socket in %s", d, root, state)
	}
	if want := d.Worker.Address + " (started by brewkit, pid " + strconv.Itoa(d.Pid) + ")"; d.String() != want {
		t.Errorf("String() = %q, want %q", d, want)
	}
	if diff := cmp.Diff([]string{arch}, d.Worker.Arches); diff != "" {
		t.Errorf("arches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{platform, "linux/s390x"}, platformNames(d)); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	args := readFile(t, filepath.Join(root, "args"))
	for _, want := range []string{"--oci-worker-platform\n" + platform + "\n", "--containerd-worker=false", "--root\n" + root + "\n"} {
		if !strings.Contains(args, want) {
			t.Errorf("buildkitd arguments lack %q:\n%s", want, args)
		}
	}
	if conf := readFile(t, filepath.Join(root, "config")); !strings.Contains(conf, "socketPath = \""+state+"/buildkitd-") {
		t.Errorf("config sets no OpenTelemetry socket of its own:\n%s", conf)
	}

	// A second daemon while the first holds the root gets a root of its own.
	d2, err := Find(t.Context(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Root == root || d2.Worker.Address == d.Worker.Address {
		t.Errorf("second daemon: root %s, address %s; want its own", d2.Root, d2.Worker.Address)
	}

	for _, dd := range []*Daemon{d, d2} {
		if err := dd.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if err := syscall.Kill(dd.Pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("pid %d after Stop: kill -0 = %v, want ESRCH", dd.Pid, err)
		}
		if err := dd.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Errorf("the state directory still holds %v", entries)
	}
	if _, err := os.Stat(filepath.Join(root, "args")); err != nil {
		t.Errorf("the root given is gone: %v", err)
	}
}

func TestFindErrors(t *testing.T) {
	failing := filepath.Join(t.TempDir(), "buildkitd")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho boom: no runc >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notExec := filepath.Join(t.TempDir(), "buildkitd")
	if err := os.WriteFile(notExec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	down := "unix://" + filepath.Join(t.TempDir(), "down.sock")
	tests := []struct {
		name      string
		opts      []Option
		want      []string
		noDaemon  bool
		emptyDirs string
	}{
		{
			name:     "nothing",
			opts:     []Option{env(map[string]string{"PATH": filepath.Dir(notExec)}), noDefault(t)},
			want:     []string{"BUILDKIT_HOST is not set, nothing answers at unix://", "buildkitd is not on PATH", "install buildkitd"},
			noDaemon: true,
		},
		{
			name:     "missing binary",
			opts:     []Option{WithBuildkitd("/nonexistent/buildkitd"), noDefault(t)},
			want:     []string{"buildkitd /nonexistent/buildkitd: stat"},
			noDaemon: true,
		},
		{
			name: "BUILDKIT_HOST down",
			opts: []Option{env(map[string]string{"BUILDKIT_HOST": down, "PATH": fakeBin(t)}), noDefault(t)},
			want: []string{"BUILDKIT_HOST=" + down + ": ", "cannot connect"},
		},
		{
			name: "BUILDKIT_HOST scheme",
			opts: []Option{env(map[string]string{"BUILDKIT_HOST": "docker-container://buildx_buildkit_default"})},
			want: []string{`unsupported address "docker-container://buildx_buildkit_default"`},
		},
		{
			name:      "daemon exits",
			opts:      []Option{WithBuildkitd(failing), noDefault(t), WithStateDir(state)},
			want:      []string{"exited before answering", "boom: no runc"},
			emptyDirs: state,
		},
		{"bad option", []Option{WithStartTimeout(0)}, []string{"want a positive duration"}, false, ""},
		{"bad concurrency", []Option{WithConcurrency(-1)}, []string{"want a positive number"}, false, ""},
		{"bad default address", []Option{WithDefaultAddress("/run/buildkit/buildkitd.sock")}, []string{"want unix:///PATH"}, false, ""},
		{"nil env", []Option{WithEnv(nil)}, []string{"WithEnv(nil)"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			d, err := Find(t.Context(), append(tt.opts, WithStartTimeout(20*time.Second))...)
			if err == nil {
				d.Stop()
				t.Fatalf("Find = %v, want an error", d)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if errors.Is(err, ErrNoDaemon) != tt.noDaemon {
				t.Errorf("errors.Is(err, ErrNoDaemon) = %v, want %v", !tt.noDaemon, tt.noDaemon)
			}
			if tt.emptyDirs != "" {
				if entries, _ := os.ReadDir(tt.emptyDirs); len(entries) != 0 {
					t.Errorf("%s still holds %v", tt.emptyDirs, entries)
				}
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

func TestRootInUse(t *testing.T) {
	root := t.TempDir()
	if rootInUse(root) {
		t.Error("a root without a lock file is in use")
	}
	f, err := os.Create(filepath.Join(root, "buildkitd.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rootInUse(root) {
		t.Error("an unlocked root is in use")
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if !rootInUse(root) {
		t.Error("a locked root is not in use")
	}
}

func TestLookPath(t *testing.T) {
	exe, plain := t.TempDir(), t.TempDir()
	for dir, mode := range map[string]os.FileMode{exe: 0o755, plain: 0o644} {
		if err := os.WriteFile(filepath.Join(dir, "tool"), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := lookPath("tool", plain+":relative:"+exe); err != nil || got != filepath.Join(exe, "tool") {
		t.Errorf("lookPath = %q, %v; want the executable one in %s", got, err, exe)
	}
	if _, err := lookPath("tool", plain); err == nil {
		t.Error("lookPath found a file that is not executable")
	}
}

func platformNames(d *Daemon) []string {
	var out []string
	for _, p := range d.Platforms {
		out = append(out, platforms.Format(p))
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
