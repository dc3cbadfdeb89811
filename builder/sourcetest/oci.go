package sourcetest

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/brewkit/brewkit/platforms"
)

// layerTime is the modification time of every file OCILayout writes, so
// that the same files give the same digests.
var layerTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// OCILayout returns an OCI image layout, as the files of a directory
// (path -> content, for NewRepo or Commit), holding one image for the
// bashbrew architecture arch: OCI media types, a config with arch's OS,
// architecture and variant, and a single gzip layer with files (path ->
// content; "\x7fELF" and "#!" contents get mode 0755, as in NewRepo). Its
// index.json lists exactly that image's manifest, whose digest OCILayout
// returns too. The same arguments give the same bytes.
//
//	oci, digest := sourcetest.OCILayout(t, "arm64v8", map[string]string{
//		"bin/busybox": string(farmtest.Busybox(t, "arm64v8")),
//	})
func OCILayout(t testing.TB, arch string, files map[string]string) (dir map[string]string, digest string) {
	t.Helper()
	img, err := ociImage(arch, files)
	if err != nil {
		t.Fatalf("OCILayout(%q): %v", arch, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatalf("OCILayout(%q): %v", arch, err)
	}
	tmp := t.TempDir()
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		t.Fatalf("OCILayout(%q): %v", arch, err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatalf("OCILayout(%q): %v", arch, err)
	}
	dir, err = readTree(tmp)
	if err != nil {
		t.Fatalf("OCILayout(%q): %v", arch, err)
	}
	return dir, d.String()
}

// ociImage is the image of OCILayout.
func ociImage(arch string, files map[string]string) (v1.Image, error) {
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil, err
	}
	data, err := layerTar(files)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, MediaType: types.OCILayer})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	cfg.Created = v1.Time{Time: layerTime}
	cfg.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	return mutate.ConfigFile(img, cfg)
}

// layerTar is an uncompressed tar of files, with their parent directories,
// in name order.
func layerTar(files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, d := range parents(name) {
			if dirs[d] {
				continue
			}
			dirs[d] = true
			h := &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: layerTime}
			if err := tw.WriteHeader(h); err != nil {
				return nil, err
			}
		}
		content := files[name]
		h := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: int64(fileMode(content)), Size: int64(len(content)), ModTime: layerTime}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parents returns the directories above name, outermost first: "a/b/c"
// gives "a" and "a/b".
func parents(name string) []string {
	var ds []string
	for d := path.Dir(name); d != "." && d != "/"; d = path.Dir(d) {
		ds = append([]string{d}, ds...)
	}
	return ds
}

// readTree returns the regular files under root, by slash-separated path.
func readTree(root string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return files, err
}

// fileMode is the mode NewRepo and OCILayout give a file: 0755 for what
// starts like an executable ("\x7fELF" or "#!"), else 0644.
func fileMode(content string) os.FileMode {
	if strings.HasPrefix(content, "\x7fELF") || strings.HasPrefix(content, "#!") {
		return 0o755
	}
	return 0o644
}
