package builder

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

// layoutStoreID names a Layout's content store in a solve: an in-plan
// parent is pinned as "oci-layout://brewkit@sha256:…", which BuildKit reads
// from the store of that id the client offers.
const layoutStoreID = "brewkit"

// buildsDir holds a Layout's build records, one file per build id.
const buildsDir = "brewkit/builds"

// Layout is an OCI image layout directory that an [Executor] builds into
// when there is no registry: BuildKit's OCI exporter writes each job's
// blobs into it (no tarball), a child is built from its parents' exact
// bytes there, and each job's manifest is recorded under its build id in
// brewkit/builds/BUILDID.json, so that a later run finds it and builds
// nothing. [Layout.Tag] then points the tags of index.json at the images.
//
// One brewkit at a time should write a layout: blobs and records are
// written atomically, but index.json is read, merged and replaced (under
// a lock, for the builds of one process).
type Layout struct {
	dir   string
	store content.Store
	index sync.Mutex // held while index.json is read, merged and replaced
}

// OpenLayout opens the OCI image layout in dir, creating it (oci-layout
// and an empty index.json) when dir does not hold one.
func OpenLayout(dir string) (*Layout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(abs, filepath.FromSlash(buildsDir)), 0o755); err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	if err := initLayout(abs); err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	store, err := contentlocal.NewStore(abs)
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	return &Layout{dir: abs, store: waitingStore{store}}, nil
}

// waitingStore makes Writer wait, with backoff, while another solve
// writes the same blob (two jobs exporting an identical layer at once)
// instead of failing at once with Unavailable: BuildKit retries that too,
// but its session content service first logs the failure as an error.
type waitingStore struct{ content.Store }

func (s waitingStore) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	return content.OpenWriter(ctx, s.Store, opts...)
}

// initLayout writes oci-layout and index.json where they are missing, and
// checks the layout version where it is not.
func initLayout(dir string) error {
	if err := checkOutputVersion(dir); err == nil {
		return ensureIndex(dir)
	} else if _, statErr := os.Stat(filepath.Join(dir, ocispec.ImageLayoutFile)); statErr == nil {
		return err
	}
	data, err := json.Marshal(ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, ocispec.ImageLayoutFile), data); err != nil {
		return err
	}
	return ensureIndex(dir)
}

// checkOutputVersion checks the version of an existing output layout.
func checkOutputVersion(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, ocispec.ImageLayoutFile))
	if err != nil {
		return err
	}
	return parseLayoutVersion(raw)
}

func ensureIndex(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, ocispec.ImageIndexFile)); err == nil {
		return nil
	}
	return writeIndex(dir, emptyIndex())
}

// Dir is the layout's directory, absolute.
func (l *Layout) Dir() string { return l.dir }

// Close removes the content store's ingest directory when it is empty,
// leaving a clean layout.
func (l *Layout) Close() error {
	// Remove fails when the directory is missing, or holds an interrupted
	// write that the store may resume next time: both are fine.
	_ = os.Remove(filepath.Join(l.dir, "ingest"))
	return nil
}

// ref is how results in the layout are shown: the oci-layout source that
// buildx takes as a named context.
func (l *Layout) ref(d digest.Digest) string { return "oci-layout://" + l.dir + "@" + d.String() }

func (l *Layout) lookup(ctx context.Context, _, buildID string) (scheduler.Result, bool, error) {
	desc, ok, err := l.record(buildID)
	if err != nil || !ok {
		return scheduler.Result{}, false, err
	}
	if !l.complete(ctx, desc) {
		return scheduler.Result{}, false, nil // blobs were deleted: build it again
	}
	return scheduler.Result{Ref: l.ref(desc.Digest), Digest: desc.Digest.String(), BuildID: buildID, UpToDate: true}, true, nil
}

// complete reports whether the manifest desc, its config and its layers
// are all in the store.
func (l *Layout) complete(ctx context.Context, desc ocispec.Descriptor) bool {
	raw, err := content.ReadBlob(ctx, l.store, desc)
	if err != nil {
		return false
	}
	if desc.MediaType != ocispec.MediaTypeImageManifest {
		return true
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		if _, err := l.store.Info(ctx, d.Digest); err != nil {
			return false
		}
	}
	return true
}

func (l *Layout) lockKey(arch, buildID string) string {
	return "oci-layout " + l.dir + " " + arch + " " + buildID
}

func (l *Layout) pin(r scheduler.Result) string {
	return "oci-layout://" + layoutStoreID + "@" + r.Digest
}

func (l *Layout) export(string, string) (client.ExportEntry, map[string]content.Store) {
	return client.ExportEntry{Type: client.ExporterOCI, OutputStore: l.store, Attrs: map[string]string{"tar": "false"}},
		map[string]content.Store{layoutStoreID: l.store}
}

func (l *Layout) commit(_ context.Context, arch, buildID string, resp map[string]string) (scheduler.Result, error) {
	raw, err := base64.StdEncoding.DecodeString(resp[exptypes.ExporterImageDescriptorKey])
	var desc ocispec.Descriptor
	if err == nil {
		err = json.Unmarshal(raw, &desc)
	}
	if err != nil || desc.Digest == "" {
		return scheduler.Result{}, fmt.Errorf("exporting build %s to %s: BuildKit returned no image descriptor (%v)", buildID, l.dir, err)
	}
	return l.keep(arch, buildID, desc)
}

func (l *Layout) write(_ context.Context, arch, buildID string, img v1.Image) (scheduler.Result, error) {
	if err := layout.Path(l.dir).WriteImage(img); err != nil {
		return scheduler.Result{}, fmt.Errorf("writing build %s to %s: %w", buildID, l.dir, err)
	}
	d, err := img.Digest()
	if err != nil {
		return scheduler.Result{}, err
	}
	size, err := img.Size()
	if err != nil {
		return scheduler.Result{}, err
	}
	mt, err := img.MediaType()
	if err != nil {
		return scheduler.Result{}, err
	}
	return l.keep(arch, buildID, ocispec.Descriptor{MediaType: string(mt), Digest: digest.Digest(d.String()), Size: size})
}

// keep records desc, the image of buildID for arch, and returns it.
func (l *Layout) keep(arch, buildID string, desc ocispec.Descriptor) (scheduler.Result, error) {
	p, err := platforms.OCI(arch)
	if err != nil {
		return scheduler.Result{}, err
	}
	desc.Platform = &p
	if err := l.setRecord(buildID, desc); err != nil {
		return scheduler.Result{}, err
	}
	return scheduler.Result{Ref: l.ref(desc.Digest), Digest: desc.Digest.String(), BuildID: buildID}, nil
}

// recordPath is the file of buildID's record, which must be a hex digest.
func (l *Layout) recordPath(buildID string) (string, error) {
	if _, err := hex.DecodeString(buildID); err != nil || buildID == "" {
		return "", fmt.Errorf("build id %q: want a hex digest", buildID)
	}
	return filepath.Join(l.dir, filepath.FromSlash(buildsDir), buildID+".json"), nil
}

// record returns the descriptor recorded for buildID; ok is false when
// there is none.
func (l *Layout) record(buildID string) (desc ocispec.Descriptor, ok bool, err error) {
	path, err := l.recordPath(buildID)
	if err != nil {
		return desc, false, err
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return desc, false, nil
	}
	if err != nil {
		return desc, false, err
	}
	if err := json.Unmarshal(raw, &desc); err != nil || desc.Digest.Validate() != nil {
		return desc, false, fmt.Errorf("build record %s: not a descriptor (%v)", path, err)
	}
	return desc, true, nil
}

func (l *Layout) setRecord(buildID string, desc ocispec.Descriptor) error {
	path, err := l.recordPath(buildID)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeFileAtomic replaces the file at path with data: written beside it,
// then renamed over it.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Chmod(0o644), f.Close()); err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
