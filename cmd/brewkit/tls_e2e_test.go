package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/farmtest/tlsgen"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// tlsWorkersFile writes a workers file of ws, with their tls blocks, and
// the farm's registry.
func tlsWorkersFile(t *testing.T, farm farmtest.Farm, ws ...workers.Worker) string {
	t.Helper()
	yml := "workers:\n"
	for _, w := range ws {
		yml += fmt.Sprintf("  - name: %s\n    address: %q\n    arches: [%s]\n    concurrency: 2\n", w.Name, w.Address, strings.Join(w.Arches, ", "))
		if w.TLS != nil {
			yml += fmt.Sprintf("    tls: {ca: %q, cert: %q, key: %q, servername: %q}\n", w.TLS.CA, w.TLS.Cert, w.TLS.Key, w.TLS.ServerName)
		}
	}
	yml += "registry: " + farm.Registry + "\n"
	file := filepath.Join(t.TempDir(), "workers.yaml")
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// renamed is w under another name.
func renamed(w workers.Worker, name string) workers.Worker {
	w.Name = name
	return w
}

// TestE2ETLS runs test buildkitds with a mutual-TLS listener (certificates
// from hack/tlsgen's code): brewkit workers reports the good one up, and a
// worker whose certificate is signed by an unknown CA, has expired, or is for
// another name as unusable with the reason; brewkit build builds and pushes
// over TLS, never retrying on the expired worker listed first.
func TestE2ETLS(t *testing.T) {
	farm := farmtest.Require(t)
	x := farmtest.NewTLS(t)
	good := farm.StartBuildkitd(t, "amd64", farmtest.WithTLSListener(x, tlsgen.Server("good")))
	exp := tlsgen.Server("expired")
	exp.NotBefore, exp.NotAfter = time.Now().Add(-72*time.Hour), time.Now().Add(-24*time.Hour)
	expired := farm.StartBuildkitd(t, "amd64", farmtest.WithTLSListener(x, exp))
	other := tlsgen.Server("other")
	other.DNSNames, other.IPs = []string{"buildkit.example"}, []net.IP{net.IPv4(10, 0, 0, 7)}
	wrongName := farm.StartBuildkitd(t, "amd64", farmtest.WithTLSListener(x, other))
	unknownCA := renamed(good.TLSWorker, "unknown-ca")
	unknownCA.TLS = &workers.TLS{CA: farmtest.NewTLS(t).CAFile, Cert: x.ClientCert, Key: x.ClientKey}

	t.Run("workers", func(t *testing.T) {
		file := tlsWorkersFile(t, farm, renamed(good.TLSWorker, "good"), renamed(expired.TLSWorker, "expired"),
			renamed(wrongName.TLSWorker, "wrong-name"), unknownCA)
		out, err := runWorkers(t, "--workers", file)
		t.Logf("brewkit workers: %v\n%s", err, out)
		rows := tableRows(t, out)
		if r := rows["good"]; len(r) != 7 || r[2] != "up" || r[6] != "2" {
			t.Errorf("good: %q, want up with 2 slots and no note", r)
		}
		for name, reason := range map[string]string{
			"expired":    "TLS: the worker's certificate has expired or is not valid yet",
			"wrong-name": "TLS: the worker's certificate is not for 127.0.0.1 (tls: servername)",
			"unknown-ca": "TLS: the worker's certificate is not signed by a CA brewkit trusts for it (tls: ca)",
		} {
			if r := rows[name]; len(r) != 8 || r[2] != "UNUSABLE" || !strings.Contains(r[7], reason) {
				t.Errorf("%s: %q, want UNUSABLE with %q", name, r, reason)
			}
			if want := "worker " + name + " cannot be used: worker \"" + name + "\" at tcp://127.0.0.1:"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want it to contain %q", err, want)
			}
		}
	})

	t.Run("build and push", func(t *testing.T) {
		f := newFixture(t, farm)
		lib := f.smallLibrary(t, []string{"amd64"}, nil)
		file := tlsWorkersFile(t, farm, renamed(expired.TLSWorker, "expired"), renamed(good.TLSWorker, "good"))
		to := farm.Registry + "/e2e-" + randomHex(t) + "/lib"
		r := build(t, lib, file, stagingPrefix(t, farm), t.TempDir(), "--push", to)
		if r.err != nil {
			t.Fatalf("brewkit build over TLS: %v\nstderr:\n%s", r.err, r.stderr)
		}
		onExpired := 0
		for _, j := range r.meta.Jobs {
			if j.Status != "built" || j.Worker != "good" {
				t.Errorf("%s %s: %s on %s, want built on good", j.Tags[0], j.Arch, j.Status, j.Worker)
			}
			if j.Attempts > 1 {
				onExpired++
			}
		}
		// expired comes first, so it takes jobs until one fails there:
		// at most its slots' worth, then it is out of service.
		if onExpired > 2 {
			t.Errorf("%d jobs went to the expired worker, want at most its 2 slots' worth", onExpired)
		}
		if onExpired > 0 && !strings.Contains(r.stderr+r.stdout, "TLS: the worker's certificate has expired") {
			t.Errorf("the output does not say why the expired worker failed:\n%s\n%s", r.stdout, r.stderr)
		}
		img := pull(t, to+"/good:1")
		files, err := readFiles(img, "good")
		if err != nil || files["good"] != "good\n" {
			t.Errorf("pushed good:1: files %q, %v; want /good", files, err)
		}
	})

	t.Run("only worker unusable", func(t *testing.T) {
		f := newFixture(t, farm)
		lib := f.smallLibrary(t, []string{"amd64"}, nil)
		r := build(t, lib, tlsWorkersFile(t, farm, renamed(wrongName.TLSWorker, "wrong-name")), stagingPrefix(t, farm), t.TempDir())
		if r.err == nil {
			t.Fatal("brewkit build on a worker with a certificate for another name: no error")
		}
		for _, j := range r.meta.Jobs {
			if j.Tags[0] == "base:latest" && (j.Status != "failed" || j.Attempts != 1 ||
				!strings.Contains(j.Error, "worker wrong-name is out of service") ||
				!strings.Contains(j.Error, "the worker's certificate is not for 127.0.0.1")) {
				t.Errorf("base:latest: %s after %d attempts: %q; want failed once, naming the worker and the reason", j.Status, j.Attempts, j.Error)
			}
		}
	})
}
