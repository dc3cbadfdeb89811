package main

import (
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// TestE2ESSH reaches a buildkitd of the test's own through a local sshd
// (Debian's openssh-server on loopback, with keys of the test's own) at a
// worker address ssh://root@127.0.0.1:PORT/SOCKET, as BuildKit's ssh
// connection helper does: ssh runs `buildctl --addr unix://SOCKET
// dial-stdio` there. brewkit workers reports it up; brewkit build builds
// and pushes through it.
func TestE2ESSH(t *testing.T) {
	farm := farmtest.Require(t)
	d := farm.StartBuildkitd(t, "amd64")
	sshd := farm.StartSSHD(t)
	sshd.UseClient(t)
	addr := sshd.Address(t, d.Worker.Address)

	t.Run("workers", func(t *testing.T) {
		out, err := runWorkers(t, "--worker", "amd64="+addr)
		if err != nil {
			t.Fatalf("brewkit workers --worker amd64=%s: %v\n%s\nsshd's log:\n%s", addr, err, out, sshd.LogTail(20))
		}
		r := tableRows(t, out)["amd64"]
		if len(r) != 7 || r[1] != addr || r[2] != "up" || !strings.HasPrefix(r[4], "linux/amd64") {
			t.Errorf("row %q, want %s up with linux/amd64 first\n%s", r, addr, out)
		}
	})

	t.Run("build and push", func(t *testing.T) {
		before := sshd.Sessions(t)
		f := newFixture(t, farm)
		lib := f.smallLibrary(t, []string{"amd64"}, nil)
		to := farm.Registry + "/e2e-" + randomHex(t) + "/ssh"
		r := build(t, lib, workersFile(t, farm, [3]string{"over-ssh", addr, "amd64"}), stagingPrefix(t, farm), t.TempDir(), "--push", to)
		if r.err != nil {
			t.Fatalf("brewkit build through ssh: %v\nstderr:\n%s\nsshd's log:\n%s", r.err, r.stderr, sshd.LogTail(20))
		}
		for _, j := range r.meta.Jobs {
			if j.Status != "built" || j.Worker != "over-ssh" || j.Attempts != 1 {
				t.Errorf("%s %s: %s on %s after %d attempts, want built on over-ssh at once", j.Tags[0], j.Arch, j.Status, j.Worker, j.Attempts)
			}
		}
		if n := sshd.Sessions(t) - before; n == 0 {
			t.Error("sshd started no session for the build")
		} else {
			t.Logf("the build opened %d ssh sessions", n)
		}
		for _, tag := range []string{"base:latest", "good:1"} {
			farmtest.CheckValid(t, to+"/"+tag)
		}
		files, err := readFiles(pull(t, to+"/good:1"), "good", "arch")
		if err != nil || files["good"] != "good\n" || files["arch"] != "x86_64\n" {
			t.Errorf("pushed good:1: files %q, %v; want /good and /arch x86_64", files, err)
		}
	})
}
