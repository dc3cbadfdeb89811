package reproduce

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/publish"
	"github.com/brewkit/brewkit/builder/reproduce/imagediff"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler/record"
)

// Verdicts of a platform.
const (
	Identical     = "identical"      // the same manifest digest
	Equivalent    = "equivalent"     // different only by the normalizations listed
	Differs       = "differs"        // see the config, layers and files
	RebuildFailed = "rebuild-failed" // see Error
)

// Options are what [Reproduce] needs besides the reference.
type Options struct {
	// Engine builds: its target is a set of workers and a scratch OCI
	// layout (never a registry: a rebuild must not touch a staging or a
	// published tag), without Emulate unless emulation was asked for.
	Engine *engine.Engine
	// Record, if set, gives the inputs (RecordName names it in the
	// report); else they come from the images' annotations and the
	// library entry of the tag, read with Library.
	Record     *record.Record
	RecordName string
	Library    *manifest.Loader
	// Platforms, if set, are the only platforms reproduced (OCI
	// platforms, such as linux/arm64/v8).
	Platforms []string
	// Keychain reads the published images; nil means anonymous.
	Keychain authn.Keychain
	// ReportDir, if set, receives both versions of each file that differs.
	ReportDir string
}

// Report is what [Reproduce] found, platform by platform.
type Report struct {
	Reference string           `json:"reference"`
	Platforms []PlatformReport `json:"platforms"`
}

// PlatformReport is one platform's verdict, its inputs and, when it
// differs, where.
type PlatformReport struct {
	Platform  string  `json:"platform"`
	Verdict   string  `json:"verdict"`
	Published string  `json:"published"`
	Rebuilt   string  `json:"rebuilt,omitempty"`
	Inputs    *Inputs `json:"inputs,omitempty"`
	// BuildID is the rebuild's; when the inputs recorded one, it should
	// be the same (BuildIDMatches).
	BuildID        string `json:"buildId,omitempty"`
	BuildIDMatches *bool  `json:"buildIdMatches,omitempty"`
	Error          string `json:"error,omitempty"`
	inputErr       bool
	// What differs, when the digests do (see package imagediff).
	Normalizations []imagediff.Normalization `json:"normalizations,omitempty"`
	Config         []imagediff.FieldDiff     `json:"config,omitempty"`
	Layers         []imagediff.LayerDiff     `json:"layers,omitempty"`
	Files          []imagediff.FileDiff      `json:"files,omitempty"`
}

// Exit is the exit code of a report: 0 when every platform is identical
// or equivalent, 2 when a platform's inputs could not be read, else 1.
func (r *Report) Exit() int {
	code := 0
	for _, p := range r.Platforms {
		switch {
		case p.inputErr:
			return 2
		case p.Verdict != Identical && p.Verdict != Equivalent:
			code = 1
		}
	}
	return code
}

// Reproduce rebuilds every platform of the image ref names from its
// recorded inputs, each once and at once, and compares each with what
// was published. An error is for ref itself (unreadable, or no platform
// to reproduce); a platform's problem is in its report.
func Reproduce(ctx context.Context, ref string, o Options) (*Report, error) {
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("reproduce %q: want REGISTRY/NAMESPACE/REPO:TAG: %w", ref, err)
	}
	if o.Engine == nil || o.Engine.Target().Layout == nil {
		return nil, errors.New("reproduce: the engine must build into a scratch OCI layout")
	}
	kc := o.Keychain
	if kc == nil {
		kc = authn.NewMultiKeychain()
	}
	ropts := publish.RemoteOptions(publish.NewRetryTransport(remote.DefaultTransport, publish.RetryPolicy{}), kc) // a registry fault is retried as a publish retries it
	pubs, err := readPublished(ctx, r, ropts)
	if err != nil {
		return nil, err
	}
	pubs = slices.DeleteFunc(pubs, func(p published) bool { return len(o.Platforms) > 0 && !slices.Contains(o.Platforms, p.Platform) })
	if len(pubs) == 0 {
		return nil, fmt.Errorf("%s has none of the platforms %v", ref, o.Platforms)
	}
	rep := &Report{Reference: r.String(), Platforms: make([]PlatformReport, len(pubs))}
	var entry entryOnce
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range pubs {
		g.Go(func() error {
			rep.Platforms[i] = o.platform(gctx, r, p, &entry)
			return nil
		})
	}
	g.Wait()
	return rep, ctx.Err()
}

// platform reproduces one platform.
func (o Options) platform(ctx context.Context, ref name.Reference, p published, entry *entryOnce) PlatformReport {
	pr := PlatformReport{Platform: p.Platform, Published: p.Digest, Verdict: RebuildFailed}
	in, err := o.inputs(ctx, ref, p, entry)
	if err != nil {
		var ie *InputError
		pr.Error, pr.inputErr = err.Error(), errors.As(err, &ie)
		return pr
	}
	pr.Inputs = in
	rb, err := rebuild(ctx, o.Engine, repoName(ref), in)
	if err != nil {
		var ie *InputError
		pr.Error, pr.inputErr = err.Error(), errors.As(err, &ie)
		return pr
	}
	pr.Rebuilt, pr.BuildID = rb.Digest, rb.BuildID
	if in.BuildID != "" {
		same := in.BuildID == rb.BuildID
		pr.BuildIDMatches = &same
	}
	if rb.Digest == p.Digest {
		pr.Verdict = Identical
		return pr
	}
	var copts []imagediff.Option
	if o.ReportDir != "" {
		copts = append(copts, imagediff.WithReportDir(filepath.Join(o.ReportDir, strings.ReplaceAll(p.Platform, "/", "-"))))
	}
	d, err := imagediff.Compare(ctx, p.Image, rb.Image, copts...)
	if err != nil {
		pr.Error = fmt.Sprintf("comparing the images: %v", err)
		return pr
	}
	pr.Verdict = string(d.Verdict)
	pr.Normalizations, pr.Config, pr.Layers, pr.Files = d.Normalizations, d.Config, d.Layers, d.Files
	return pr
}

// inputs are p's inputs: from the record if there is one, else from its
// annotations and the library entry of ref's tag.
func (o Options) inputs(ctx context.Context, ref name.Reference, p published, entry *entryOnce) (*Inputs, error) {
	resolve := pinner(ref.Context())
	if o.Record != nil {
		return fromRecord(*o.Record, o.RecordName, p.Arch, p.Platform, p.Digest, resolve)
	}
	e, at, err := entry.get(ctx, o.Library, ref)
	if err != nil {
		return nil, &InputError{p.Platform, err.Error()}
	}
	return fromAnnotations(p.Annotations, e, at, p.Arch, p.Platform, resolve)
}

// repoName is the repository's last path element: "busybox".
func repoName(ref name.Reference) string { return path.Base(ref.Context().RepositoryStr()) }

// entryOnce loads the library entry of the tag once for all platforms.
type entryOnce struct {
	once  sync.Once
	entry *manifest.Entry
	at    string
	err   error
}

func (e *entryOnce) get(ctx context.Context, l *manifest.Loader, ref name.Reference) (*manifest.Entry, string, error) {
	e.once.Do(func() {
		tag, ok := ref.(name.Tag)
		if !ok || l == nil {
			e.err = fmt.Errorf("no library entry for %s: give a tag and --library, or --record", ref)
			return
		}
		arg := repoName(ref) + ":" + tag.TagStr()
		if strings.HasPrefix(l.Library, "https://") || strings.HasPrefix(l.Library, "http://") {
			arg = strings.TrimSuffix(l.Library, "/") + "/" + arg // a library served over http(s)
		}
		repo, err := l.Load(ctx, arg)
		if err != nil {
			e.err = fmt.Errorf("the library entry of %s: %w", ref, err)
			return
		}
		e.entry, e.at = repo.TagEntry, fmt.Sprintf("%s:%d", repo.File, repo.TagEntry.Line())
	})
	return e.entry, e.at, e.err
}
