package builder

import (
	"context"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"

	"github.com/brewkit/brewkit/builder/dockerfile"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler"
)

// request is everything one BuildKit solve of a job needs, gathered before
// talking to BuildKit so that it can be checked without a daemon.
type request struct {
	job     *scheduler.Job
	context string               // a git context ("git://host/repo#commit:dir"), or "" for local
	local   map[string]fsutil.FS // the "context" and "dockerfile" mounts of a local source
	file    string               // the Dockerfile's path in the "dockerfile" mount, when local
	parents []scheduler.Parent   // every FROM but scratch, with the digest it resolved to
	pins    map[string]string    // FROM → its named-context source: "docker-image://host/repo@sha256:…" or "oci-layout://…"
	buildID string
	export  client.ExportEntry                            // where the image goes; solveOpt adds the common attrs
	stores  map[string]content.Store                      // OCI stores that pinned parents are read from
	noCache bool                                          // BuildKit's cache is not consulted
	pull    bool                                          // BuildKit fetches pinned images' manifests and configs again
	load    func(context.Context) (io.WriteCloser, error) // where a docker-archive of the image goes too, if set
}

// loadExport is the second export of a solve with load set: BuildKit's
// docker exporter, naming the job's tags as full references
// ("docker.io/library/foo:1.0"), its tarball streamed to load. It makes
// the image the main export makes (imageAttrs), byte for byte: the
// image loaded has the staged image's digest.
func (r *request) loadExport(ctx context.Context) client.ExportEntry {
	attrs := r.imageAttrs()
	attrs["name"] = strings.Join(loadNames(r.job), ",")
	return client.ExportEntry{Type: client.ExporterDocker, Attrs: attrs,
		Output: func(map[string]string) (io.WriteCloser, error) { return r.load(ctx) }}
}

// loadNames are the names job's image is loaded under with --load: each
// of its tags as a full reference ("docker.io/library/foo:1.0"), in the
// order of its origins and their tags.
func loadNames(job *scheduler.Job) []string {
	var names []string
	for _, o := range job.Origins {
		for _, t := range o.Tags {
			names = append(names, LayoutRef(o.Repo+":"+t))
		}
	}
	return names
}

// imageAttrs are the exporter attrs that make the image: OCI media
// types, layer timestamps rewritten to SOURCE_DATE_EPOCH, and the
// production pipeline's annotations on the manifest and its descriptor.
func (r *request) imageAttrs() map[string]string {
	attrs := map[string]string{"oci-mediatypes": "true", "rewrite-timestamp": "true"}
	for k, v := range r.annotations() {
		attrs["annotation-manifest."+k] = v
		attrs["annotation-manifest-descriptor."+k] = v
	}
	return attrs
}

// solveOpt is the solve: the dockerfile.v0 frontend on the job's context,
// for its platform, with every parent pinned by digest as a named context,
// SOURCE_DATE_EPOCH from the commit with timestamps rewritten, and the
// production pipeline's annotations, exported as r.export says.
func (r *request) solveOpt() client.SolveOpt {
	j := r.job
	epoch := strconv.FormatInt(j.CommitTime.Unix(), 10)
	attrs := map[string]string{
		"filename":                            j.Source.File,
		"platform":                            j.Platform,
		"build-arg:SOURCE_DATE_EPOCH":         epoch,
		"build-arg:BUILDKIT_DOCKERFILE_CHECK": "skip=all",
	}
	if r.context != "" {
		attrs["context"] = r.context
	}
	if r.noCache {
		attrs["no-cache"] = ""
	}
	if r.pull {
		attrs["image-resolve-mode"] = "pull"
	}
	if r.file != "" {
		attrs["filename"] = r.file
	}
	for from, pinned := range r.pins {
		attrs["context:"+dockerfile.FamiliarName(from)] = pinned
	}
	exp := maps.Clone(r.export.Attrs)
	if exp == nil {
		exp = map[string]string{}
	}
	maps.Copy(exp, r.imageAttrs())
	var sharedKey string
	if r.local != nil {
		// BuildKit keeps a copy of each local mount per worker, named by
		// the mount and this key, and sends a later context's files as a
		// difference against it by path, size, mode and time; brewkit
		// gives every file its commit's time, so two contexts of one
		// commit with a same-sized file at the same path would get the
		// first's bytes. The source id names the context's content.
		sharedKey = "brewkit-" + j.SourceID
	}
	return client.SolveOpt{
		SharedKey:     sharedKey,
		Frontend:      "dockerfile.v0",
		FrontendAttrs: attrs,
		LocalMounts:   r.local,
		OCIStores:     r.stores,
		Exports:       []client.ExportEntry{{Type: r.export.Type, Attrs: exp, OutputStore: r.export.OutputStore}},
	}
}

// annotations are the production pipeline's OCI annotations of an image.
func (r *request) annotations() map[string]string {
	j := r.job
	a := map[string]string{
		"org.opencontainers.image.source":          manifest.RedactGitRepo(j.Source.GitRepo) + "#" + j.Source.GitCommit + ":" + j.Source.Directory,
		"org.opencontainers.image.revision":        j.Source.GitCommit,
		"org.opencontainers.image.created":         j.CommitTime.UTC().Format(time.RFC3339),
		"com.docker.official-images.bashbrew.arch": j.Arch,
	}
	if len(j.Origins) > 0 {
		o := j.Origins[0]
		a["org.opencontainers.image.version"] = o.Tag
		a["org.opencontainers.image.url"] = "https://hub.docker.com/_/" + o.Repo
	}
	if base := j.LastStageFrom; base != "" && base != "scratch" {
		a["org.opencontainers.image.base.name"] = base
		for _, p := range r.parents {
			if p.From == base {
				a["org.opencontainers.image.base.digest"] = p.Digest
			}
		}
	}
	return a
}

// gitContext is BuildKit's remote git context for a source:
// "URL#COMMIT:DIR", where DIR is omitted for the repository's root. An
// https URL gets ".git", as in the production pipeline: without it
// BuildKit takes the URL for a plain download.
func gitContext(src scheduler.Source) string {
	repo := src.GitRepo
	if strings.HasPrefix(repo, "https://") && !strings.HasSuffix(repo, ".git") {
		repo += ".git"
	}
	ctx := repo + "#" + src.GitCommit
	if dir := strings.Trim(src.Directory, "/"); dir != "" && dir != "." {
		ctx += ":" + dir
	}
	return ctx
}
