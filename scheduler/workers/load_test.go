package workers_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler/workers"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "workers.yaml")
	const yml = `# as hack/farm writes it
workers:
  - name: amd64
    address: unix:///farm/amd64.sock
    arches: [amd64]
    concurrency: 2
  - address: tcp://10.0.0.9:1234
    arches: [s390x, ppc64le]
    tls:
      ca: ca.pem
      cert: /etc/c.pem
      key: k.pem
      servername: bk.example
registry: 127.0.0.1:5000
`
	if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := workers.LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	want := workers.Config{
		Registry: "127.0.0.1:5000",
		Workers: []workers.Worker{
			{Name: "amd64", Address: "unix:///farm/amd64.sock", Arches: []string{"amd64"}, Concurrency: 2},
			{
				Name: "s390x+ppc64le", Address: "tcp://10.0.0.9:1234", Arches: []string{"s390x", "ppc64le"},
				TLS: &workers.TLS{
					CA: filepath.Join(dir, "ca.pem"), Cert: "/etc/c.pem", Key: filepath.Join(dir, "k.pem"),
					ServerName: "bk.example",
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadConfig mismatch (-want +got):\n%s", diff)
	}
	ws, err := workers.Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(want.Workers, ws); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yml string
		// want are substrings, one per expected problem; FILE stands for
		// the file's path.
		want []string
	}{
		{name: "empty", yml: "", want: []string{"FILE: empty; want a workers: list"}},
		{name: "no workers", yml: "registry: r:5000\n", want: []string{"FILE: no workers; want a list such as"}},
		{
			name: "unknown keys",
			yml: `workers:
  - name: a
    arch: [amd64]
    address: unix:///a.sock
    tls: {cafile: x}
regsitry: r
`,
			want: []string{
				"FILE:3: field arch not found in a worker; want name, address, arches, concurrency or tls",
				"FILE:5: field cafile not found in tls; want ca, cert, key or servername",
				"FILE:6: field regsitry not found at the top; want workers or registry",
			},
		},
		{
			name: "syntax",
			yml:  "workers:\n  - name: [a\n",
			want: []string{"did not find expected ',' or ']'"}, // yaml's line is that of the context
		},
		{
			name: "wrong type",
			yml:  "workers:\n  - {name: a, arches: amd64, address: unix:///a.sock}\n",
			want: []string{"FILE:2: cannot unmarshal !!str `amd64` into []string"},
		},
		{
			name: "every invalid worker, with lines",
			yml: `workers:
  - name: a
    address: unix:///a.sock
    arches: [arm64]
  - name: b
    address: tcp://h
    arches: [amd64]
    concurrency: -1
  - name: a
    address: unix:///b.sock
    arches: [amd64]
`,
			want: []string{
				`FILE:2: worker "a": arches: unknown architecture "arm64" (known: `,
				`FILE:5: worker "b": address "tcp://h": want tcp://HOST:PORT`,
				`FILE:5: worker "b": concurrency -1 is negative`,
				`FILE:9: worker "a": duplicate name, already used by FILE:2: worker "a"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "workers.yaml")
			if err := os.WriteFile(path, []byte(tt.yml), 0o644); err != nil {
				t.Fatal(err)
			}
			ws, err := workers.Load(path)
			if ws != nil {
				t.Errorf("Load returned workers %+v along with an error", ws)
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.ReplaceAll(w, "FILE", path)
			}
			checkErrors(t, err, want)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := workers.Load(path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load(missing) = %v, want a not-exist error naming %s", err, path)
	}
}
