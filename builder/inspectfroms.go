package builder

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/brewkit/brewkit/builder/dockerfile"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// FromInfo is what a source is built FROM on an architecture.
type FromInfo struct {
	// Froms are the images the build reads, normalised, each once, in the
	// order the Dockerfile first reads them; "scratch" included.
	Froms []string
	// LastStageFrom is the base of the stage that becomes the image
	// ("scratch" possible).
	LastStageFrom string
}

// Froms returns what src is built FROM on arch with builder: the Froms
// and LastStageFrom of [Inspector.Inspect], read by the same code, but
// without the context's checksum or the commit's time. It reads the
// commit's Dockerfile alone (for an oci-import entry, only that its File
// is there: it is FROM scratch), once for all architectures, which makes
// it the cheap way to list FROMs (`brewkit from`, `parents`, `children`,
// templates' .ArchDockerFroms). What it finds is kept, as Inspect keeps
// it; the caller gets FROMs of its own.
func (in *Inspector) Froms(ctx context.Context, src scheduler.Source, arch, builder string) (FromInfo, error) {
	commit, err := in.ensure(ctx, src)
	if err != nil {
		return FromInfo{}, err
	}
	return in.readFroms(ctx, commit, src, arch, builder)
}

// readFroms is Froms of src at commit, the one path by which FROMs are read.
func (in *Inspector) readFroms(ctx context.Context, commit *gitsource.Commit, src scheduler.Source, arch, builder string) (FromInfo, error) {
	if builder == scheduler.BuilderOCIImport {
		arch = "" // FROM scratch on every arch
	} else {
		builder = ""
	}
	key := strings.Join([]string{commit.String(), src.Directory, src.File, arch, builder}, "\x00")
	f, ok := in.froms.Get(key)
	if !ok {
		var err error
		if builder == scheduler.BuilderOCIImport {
			f, err = ociImportFroms(ctx, commit, src)
		} else {
			f, err = in.dockerfileFroms(ctx, commit, src, arch)
		}
		if err != nil {
			return FromInfo{}, err
		}
		in.froms.Add(key, f)
	}
	f.Froms = slices.Clone(f.Froms) // the caller's own
	return f, nil
}

// ociImportFroms checks that an oci-import entry's File is in its
// Directory: an image committed to git is FROM scratch, as bashbrew has
// it. The layout is read through its Directory alone (see
// Executor.importOCI): File may not climb out of it, directly or through
// a symlink.
func ociImportFroms(ctx context.Context, commit *gitsource.Commit, src scheduler.Source) (FromInfo, error) {
	dir, err := commit.Dir(ctx, src.Directory)
	if err != nil {
		return FromInfo{}, err
	}
	if _, err := dir.Stat(ctx, src.File); err != nil {
		return FromInfo{}, fmt.Errorf("oci-import File: %w", err)
	}
	return FromInfo{Froms: []string{"scratch"}, LastStageFrom: "scratch"}, nil
}

// dockerfileFroms parses src's Dockerfile for arch.
func (in *Inspector) dockerfileFroms(ctx context.Context, commit *gitsource.Commit, src scheduler.Source, arch string) (FromInfo, error) {
	text, err := in.dockerfile(ctx, commit, src)
	if err != nil {
		return FromInfo{}, err
	}
	p, err := platforms.OCI(arch)
	if err != nil {
		return FromInfo{}, err
	}
	// Workers build natively, so the build platform is the target's.
	df, err := dockerfile.Parse(text, dockerfile.Options{TargetPlatform: p, BuildPlatform: p})
	if err != nil {
		return FromInfo{}, fmt.Errorf("%s: %w", path.Join(src.Directory, src.File), err)
	}
	var f FromInfo
	for _, r := range df.Froms {
		if !slices.Contains(f.Froms, r.Name) {
			f.Froms = append(f.Froms, r.Name)
		}
	}
	f.LastStageFrom = df.LastStageFrom
	return f, nil
}

// readTimeout bounds one shared read of a Dockerfile.
const readTimeout = 2 * time.Minute

// dockerfile returns the text of src's Dockerfile at commit, which its
// callers only read. Concurrent callers (a source's architectures) share
// one read (see [shared]); a text of at most maxKeptText bytes is kept
// for the next ones.
func (in *Inspector) dockerfile(ctx context.Context, commit *gitsource.Commit, src scheduler.Source) ([]byte, error) {
	key := strings.Join([]string{commit.String(), src.Directory, src.File}, "\x00")
	if text, ok := in.texts.Get(key); ok {
		return text, nil
	}
	what := fmt.Sprintf("reading %s:%s", commit, path.Join(src.Directory, src.File))
	return shared(ctx, &in.reads, key, what, readTimeout, func(ctx context.Context) ([]byte, error) {
		if text, ok := in.texts.Get(key); ok { // read by a flight that ended since
			return text, nil
		}
		in.read.Add(1)
		name, err := dockerfilePath(ctx, commit, src)
		if err != nil {
			return nil, err
		}
		text, err := commit.ReadFile(ctx, name, maxDockerfile)
		if err == nil && len(text) <= maxKeptText {
			in.texts.Add(key, text)
		}
		return text, err
	})
}
