package registrytest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/platforms"
)

// Pinned is an external image of a pins file: a Docker Hub image as a
// FROM names it ("NAME:TAG") and the architectures it has.
type Pinned struct {
	Image  string
	Arches []string
}

// ReadPinned reads a pins file: one image a line, "NAME:TAG ARCH...",
// where NAME is a Docker Hub name with a namespace (naughty-from.sh takes
// a FROM with a "/" for an external image) and ARCH a bashbrew
// architecture; blank lines and lines starting with # are left out.
func ReadPinned(file string) ([]Pinned, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []Pinned
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		p := Pinned{Image: fields[0], Arches: fields[1:]}
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

func (p Pinned) validate() error {
	if _, _, err := p.hubPath(); err != nil {
		return err
	}
	if !strings.Contains(p.Image, "/") {
		return fmt.Errorf("image %q: no namespace, so not an external image", p.Image)
	}
	if len(p.Arches) == 0 {
		return fmt.Errorf("image %q: no architectures", p.Image)
	}
	for _, a := range p.Arches {
		if !platforms.IsKnown(a) {
			return fmt.Errorf("image %q: %q is no bashbrew architecture", p.Image, a)
		}
	}
	return nil
}

// hubPath is the repository path and tag of p on Docker Hub
// ("brewkit-fixture/multi", "1").
func (p Pinned) hubPath() (path, tag string, err error) {
	named, err := reference.ParseNormalizedNamed(p.Image)
	if err != nil {
		return "", "", fmt.Errorf("image %q: %w", p.Image, err)
	}
	tagged, ok := named.(reference.NamedTagged)
	if !ok || reference.Domain(named) != "docker.io" {
		return "", "", fmt.Errorf("image %q: want a Docker Hub NAME:TAG", p.Image)
	}
	return reference.Path(named), tagged.Tag(), nil
}

// PinFile is the file of official-images' .external-pins directory dir
// that holds image's digest: dir/NAME___TAG, its first ':' made "___"
// (.external-pins/file.sh).
func PinFile(dir, image string) string {
	return filepath.Join(dir, filepath.FromSlash(strings.Replace(image, ":", "___", 1)))
}

// PushPinned pushes each image to the registry at host (with [Push]) at
// its Docker Hub path, so that host can stand in for Docker Hub as
// DOCKERHUB_PUBLIC_PROXY, and writes its digest to its [PinFile] in dir.
// opts are for remote.Write.
func PushPinned(ctx context.Context, host string, images []Pinned, dir string, opts ...remote.Option) error {
	for _, p := range images {
		if err := p.validate(); err != nil {
			return err
		}
		path, tag, _ := p.hubPath()
		d, err := Push(ctx, host+"/"+path+":"+tag, p.Arches, opts...)
		if err != nil {
			return err
		}
		f := PinFile(dir, p.Image)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f, []byte(d.String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}
