package farmtest

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// debianArch maps bashbrew architectures to Debian's.
func debianArch(arch string) (string, bool) {
	deb, ok := map[string]string{
		"amd64": "amd64", "arm64v8": "arm64", "ppc64le": "ppc64el", "s390x": "s390x",
		"i386": "i386", "arm32v5": "armel", "arm32v7": "armhf", "mips64le": "mips64el",
	}[arch]
	return deb, ok
}

// Busybox returns Debian's statically linked busybox for the bashbrew
// architecture arch (amd64, arm64v8, ppc64le, s390x, ...), which makes a
// FROM scratch image that can RUN:
//
//	COPY busybox /bin/busybox
//	RUN ["/bin/busybox", "--install", "-s", "/bin"]
//
// It takes the busybox-static .deb from .farm/cache/busybox/DEBARCH, where
// `hack/farm smoke` keeps it, and downloads it there with apt-get first if
// it is missing.
func Busybox(t testing.TB, arch string) []byte {
	t.Helper()
	deb, ok := debianArch(arch)
	if !ok {
		t.Fatalf("Busybox(%q): no Debian architecture known for it", arch)
	}
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(root, ".farm", "cache", "busybox", deb)
	pkg, err := cachedDeb(cache)
	if err != nil {
		pkg, err = downloadDeb(cache, deb)
	}
	if err != nil {
		t.Fatalf("Busybox(%q): %v", arch, err)
	}
	bin, err := extract(pkg, "./bin/busybox")
	if err != nil {
		t.Fatalf("Busybox(%q): %v", arch, err)
	}
	return bin
}

// cachedDeb returns the busybox-static .deb in dir.
func cachedDeb(dir string) (string, error) {
	debs, err := filepath.Glob(filepath.Join(dir, "busybox-static_*.deb"))
	if err != nil || len(debs) == 0 {
		return "", fmt.Errorf("no busybox-static .deb in %s", dir)
	}
	return debs[0], nil
}

// downloadDeb downloads busybox-static for the Debian architecture deb into
// cache, as hack/farm does. It works in a private directory and renames the
// .deb into place, so concurrent downloads do not collide.
func downloadDeb(cache, deb string) (string, error) {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, ".download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "lists", "partial"), 0o755); err != nil {
		return "", err
	}
	opts := []string{"-q", "-oAPT::Architecture=" + deb, "-oAPT::Architectures=" + deb,
		"-oDir::State::Lists=" + filepath.Join(tmp, "lists"), "-oDir::Cache=" + tmp, "-oAPT::Sandbox::User=root"}
	var log bytes.Buffer
	for _, args := range [][]string{{"update"}, {"download", "busybox-static:" + deb}} {
		cmd := exec.Command("apt-get", append(opts, args...)...)
		cmd.Dir = tmp
		cmd.Stdout, cmd.Stderr = &log, &log
		_ = cmd.Run() // a failing index need not stop the download: judge by the .deb
	}
	got, err := cachedDeb(tmp)
	if err != nil {
		return "", fmt.Errorf("apt-get download busybox-static:%s: %w\n%s", deb, err, log.Bytes())
	}
	dst := filepath.Join(cache, filepath.Base(got))
	if err := os.Rename(got, dst); err != nil {
		return "", err
	}
	return dst, nil
}

// extract returns the file name (as the package's tar lists it, such as
// "./bin/busybox") from the .deb at pkg.
func extract(pkg, name string) ([]byte, error) {
	cmd := exec.Command("dpkg-deb", "--fsys-tarfile", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w", pkg, err)
	}
	data, findErr := findInTar(out, name)
	_, _ = io.Copy(io.Discard, out) // let dpkg-deb finish writing
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	if findErr != nil {
		return nil, fmt.Errorf("%s: %w", pkg, findErr)
	}
	return data, nil
}

func findInTar(r io.Reader, name string) ([]byte, error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no %s in the package", name)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == name && h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}
