package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/platforms"
)

// runWorkers runs `brewkit workers ARGS...` through the real command tree,
// with $BREWKIT_WORKERS unset, and returns its standard output.
func runWorkers(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd(func(k string) string {
		return map[string]string{"BREWKIT_ARCH": "amd64", "HOME": "/nonexistent"}[k]
	})
	var out, stderr bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&stderr)
	cmd.SetArgs(append([]string{"workers"}, args...))
	err := cmd.ExecuteContext(t.Context())
	if stderr.Len() > 0 {
		t.Logf("stderr:\n%s", stderr.Bytes())
	}
	return out.String(), err
}

// tableRows returns the rows of a `brewkit workers` table by worker name,
// each split into its columns (NOTE, the last, may hold spaces).
func tableRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "NAME ") {
		t.Fatalf("no table header in:\n%s", out)
	}
	rows := make(map[string][]string)
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) > 8 {
			f = append(f[:7], strings.Join(f[7:], " "))
		}
		rows[f[0]] = f
	}
	return rows
}

// The command's checks that need no workers at all.

func TestWorkersUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "workers.yaml")
	if err := os.WriteFile(bad, []byte("workers:\n  - {name: x, address: unix:///x.sock, arches: [arm64]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no workers", nil, "no workers: give a workers file with --workers FILE or $BREWKIT_WORKERS"},
		{"bad flag", []string{"--worker", "amd64"}, `--worker: worker "amd64": want ARCH[,ARCH...]=ADDRESS`},
		{"bad file", []string{"--workers", bad}, bad + `:2: worker "x": arches: unknown architecture "arm64"`},
		{"bad format", []string{"--worker", "amd64=tcp://h:1", "--format", "yaml"}, `--format "yaml": want table or json`},
		{
			"duplicate names",
			[]string{"--worker", "amd64=tcp://h:1", "--worker", "amd64=tcp://h:2"},
			`duplicate name, already used by worker "amd64"`,
		},
		{"arguments", []string{"extra"}, `unknown command "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runWorkers(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("brewkit workers %q: error = %v, want one containing %q", tt.args, err, tt.wantErr)
			}
			if out != "" {
				t.Errorf("brewkit workers %q printed %q before failing to start", tt.args, out)
			}
		})
	}
}

func TestWorkersDownWithoutFarm(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "workers.yaml")
	yml := "workers:\n  - {name: gone, address: unix://" + dir + "/gone.sock, arches: [s390x]}\n"
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := newRootCmd(func(k string) string { return map[string]string{"BREWKIT_WORKERS": file}[k] })
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--arch", "amd64", "workers", "--worker", "amd64=unix://" + dir + "/nope.sock"})
	err := cmd.ExecuteContext(t.Context())
	if err == nil || err.Error() != "2 of 2 workers are down" {
		t.Fatalf("error = %v, want 2 of 2 workers are down", err)
	}
	rows := tableRows(t, out.String())
	for name, sock := range map[string]string{"gone": "gone.sock", "amd64": "nope.sock"} {
		r := rows[name]
		if len(r) != 8 || r[2] != "DOWN" || !strings.Contains(r[7], "cannot connect: dial unix "+dir+"/"+sock) {
			t.Errorf("row %s = %q, want DOWN with a dial error for %s", name, r, sock)
		}
	}
}

// TestE2EWorkersFarm lists the farm's workers: all up, each advertising the
// platform of its arch.
func TestE2EWorkersFarm(t *testing.T) {
	farm := farmtest.Require(t)
	out, err := runWorkers(t, "--workers", farm.File)
	if err != nil {
		t.Fatalf("brewkit workers --workers %s: %v\n%s", farm.File, err, out)
	}
	t.Logf("\n%s", out)
	rows := tableRows(t, out)
	if len(rows) != len(farm.Workers) {
		t.Errorf("%d rows, want one per farm worker (%d)", len(rows), len(farm.Workers))
	}
	for _, w := range farm.Workers {
		r := rows[w.Name]
		if len(r) != 7 { // no NOTE
			t.Errorf("row %s = %q, want 6 columns and no note", w.Name, r)
			continue
		}
		if r[1] != w.Address || r[2] != "up" || r[5] != strings.Join(w.Arches, ",") {
			t.Errorf("row %s = %q, want %s up, native %v", w.Name, r, w.Address, w.Arches)
		}
		for _, a := range w.Arches {
			p, _ := platforms.OCI(a)
			if !strings.Contains(","+r[4]+",", ","+platforms.Format(p)+",") {
				t.Errorf("row %s platforms %s, want %s among them", w.Name, r[4], platforms.Format(p))
			}
		}
	}

	out, err = runWorkers(t, "--workers", farm.File, "--format", "json")
	if err != nil {
		t.Fatalf("brewkit workers --format json: %v", err)
	}
	var got []workerJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--format json printed invalid JSON: %v\n%s", err, out)
	}
	var names []string
	for _, g := range got {
		names = append(names, g.Name)
		if !g.Up || g.Error != "" || g.BuildKitVersion == "" || len(g.Platforms) == 0 || len(g.MissingArches) > 0 {
			t.Errorf("worker %s = %+v, want up with a version and platforms", g.Name, g)
		}
	}
	var want []string
	for _, w := range farm.Workers {
		want = append(want, w.Name)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("JSON workers (-want +got):\n%s", diff)
	}
}

// TestE2EWorkersStoppedMidTest starts a buildkitd of its own, sees it up,
// kills it, and sees it down. The farm's workers are left alone.
func TestE2EWorkersStoppedMidTest(t *testing.T) {
	farm := farmtest.Require(t)
	d := farm.StartBuildkitd(t, "amd64")
	flag := "amd64=" + d.Worker.Address

	out, err := runWorkers(t, "--worker", flag)
	if err != nil {
		t.Fatalf("brewkit workers --worker %s with buildkitd running: %v\n%s", flag, err, out)
	}
	if r := tableRows(t, out)["amd64"]; len(r) != 7 || r[2] != "up" || !strings.HasPrefix(r[4], "linux/amd64") {
		t.Fatalf("before the kill: row %q, want up with linux/amd64 first\n%s", r, out)
	}

	d.Kill(t) // SIGKILL by pid: the socket file stays, as after a crash
	start := time.Now()
	out, err = runWorkers(t, "--worker", flag)
	took := time.Since(start)
	if err == nil || err.Error() != "1 of 1 workers is down" {
		t.Fatalf("after the kill: error = %v, want 1 of 1 workers is down\n%s", err, out)
	}
	r := tableRows(t, out)["amd64"]
	if len(r) != 8 || r[2] != "DOWN" || !strings.Contains(r[7], "connect: connection refused") {
		t.Errorf("after the kill: row %q, want DOWN, connection refused", r)
	}
	t.Logf("after the kill (%s):\n%s", took.Round(time.Millisecond), out)
}
