package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// Executor implements [scheduler.Executor] with BuildKit: one Solve per
// job on the worker the scheduler chose, staged under the job's build id
// so that a later run finds it and builds nothing. Images are staged in a
// registry, in a repository per architecture (Staging), or, when Layout is
// set, in a local OCI image layout.
type Executor struct {
	// Staging is the staging repository prefix: a job for arch goes to
	// Staging + "-" + arch, tagged with its build id, as in the production
	// pipeline's "oisupport/staging-ARCH:BUILDID". Unused when Layout is
	// set.
	Staging string
	// Layout, if set, receives the images instead of a registry.
	Layout *Layout
	// Registry resolves external FROMs, and holds Staging.
	Registry *Registry
	Cache    *gitsource.Cache // sources of local repositories
	// Keychain answers BuildKit's credential requests; nil means
	// [authn.DefaultKeychain]. Give Registry the same one.
	Keychain authn.Keychain
	Progress *Progress // nil: no progress display
	// Logs, if set, opens the log of one attempt at a job: Build, which
	// the runner calls once per attempt, opens it as it starts, writes to
	// it what it shows in Progress for the job, in plain text as
	// --progress plain shows it (every step with its output, and notes
	// such as "up to date: REF"), and closes it before it returns. A log
	// that cannot be opened is noted in Progress, and the job is built
	// without it. An Executor must not make two attempts at one job at
	// once (a runner never does).
	Logs func(ctx context.Context, job *scheduler.Job) (io.WriteCloser, error)
	// Admit, if set, decides whether a job that is not staged may be
	// built: Build calls it, concurrently for different jobs, once the
	// job's build id is computed and found in no staging, before locking
	// and building it. An error fails the job with it (wrapped), and its
	// descendants are skipped; the result still has the build id and the
	// parents. It is never called for a job already staged, nor in a dry
	// run. Mark its error [scheduler.Transient] only to have the runner
	// try the job again.
	Admit func(job *scheduler.Job, buildID string) error

	// Locks, if set, make processes that share them build a job once: a
	// job is built under its lock, and looked up again once the lock is
	// taken. Nil: no locking, as for a single brewkit.
	Locks *BuildLocks

	// SendContexts sends every build context from Cache, as it sends
	// those of local and credentialed repositories, instead of letting a
	// worker fetch a public one with BuildKit's git source. A worker's git
	// source keeps one repository per remote for all builds, and a fetch
	// cut short (its client killed mid-build) can leave it unreadable for
	// every later build of that remote ("Could not read COMMIT"); a daemon
	// that must survive SIGKILL sends contexts instead.
	SendContexts bool

	// LookupCache, if set, remembers the build ids found staged in
	// Staging (or staged by this Executor) for the Executors that share
	// it: for a daemon that builds the same library again and again.
	LookupCache *LookupCache

	// Pins, if set, pin external FROMs (as the plan names them, such as
	// "debian:bookworm") to images by digest ("host/repo@sha256:…"),
	// which the registry is not asked about: a rebuild's parents are what
	// was recorded, not what the tags name now.
	Pins map[string]string
	// NoCache has BuildKit run every step again, its cache not consulted
	// (the frontend's no-cache): a rebuild from cache proves nothing. A
	// job already staged is still found: give an empty stage to rebuild.
	NoCache bool
	// Pull is bashbrew build's --pull, for the FROMs no job of the plan
	// builds. brewkit has no image store of its own: every such FROM is
	// resolved from its registry to a digest at each run and pinned by
	// it, so "missing" (or "") and "always" both use what the tag names
	// now; "always" also has BuildKit fetch the pinned image's manifest
	// and config again rather than take them from its cache (the
	// frontend's image-resolve-mode=pull; the digest is the same
	// content). "never" asks no registry: such a FROM fails its job,
	// unless Pins names it.
	Pull string
	// Load, if set, also sends each image BuildKit builds, as its docker
	// exporter's tarball naming the job's tags (full references), to the
	// writer it opens, such as a Docker engine's image load or a
	// containerd import ([load.Loader]); the solve fails if Close does.
	// The tarball's image is the one staged, byte for byte. A job found
	// staged already (up to date) or imported (oci-import) is not solved:
	// its staged image is read back and written to Load as a tarball of
	// the same format ([load.WriteImage]), so that the store has every
	// image of the run whatever was cached. Either way the result says
	// Loaded.
	Load func(ctx context.Context) (io.WriteCloser, error)

	// Status, if set, gives each attempt at a job a channel that its
	// BuildKit progress goes to as well (Solve closes it): a timeline.
	Status func(job *scheduler.Job) chan *client.SolveStatus

	// DryRun resolves parents, computes build ids and looks them up, but
	// builds nothing: a job that is not there fails with a *NotBuiltError,
	// and its descendants are skipped (their build ids depend on it).
	DryRun bool

	mu        sync.Mutex
	clients   map[string]conn  // by worker name
	externals externals        // external FROMs resolved so far
	versions  buildkitVersions // of the connections in clients

	logMu sync.Mutex
	logs  map[string]*jobLog // the attempts' open logs, by prefix
}

var _ scheduler.Executor = (*Executor)(nil)

// Build implements [scheduler.Executor].
func (e *Executor) Build(ctx context.Context, w workers.Worker, job *scheduler.Job, parents []scheduler.ParentResult) (scheduler.Result, error) {
	st, err := e.stage()
	if err != nil {
		return scheduler.Result{}, err
	}
	prefix := job.Arch + " " + job.String()
	defer e.openLog(ctx, job, prefix)()
	resolved, pins, err := e.resolveParents(ctx, st, job, parents)
	if err != nil {
		return scheduler.Result{}, err
	}
	buildID := scheduler.BuildID(job.SourceID, job.Arch, resolved)
	if res, ok, err := e.lookup(ctx, st, job.Arch, buildID, prefix); err != nil || ok {
		res.BuildID, res.Parents = buildID, resolved
		if err == nil && !e.DryRun {
			err = e.loadStaged(ctx, st, job, &res, prefix)
		}
		return res, err
	}
	if e.DryRun {
		return scheduler.Result{BuildID: buildID, Parents: resolved}, &NotBuiltError{BuildID: buildID}
	}
	if job.Builder == scheduler.BuilderClassic {
		return scheduler.Result{}, fmt.Errorf("%s: the classic builder (Windows) needs a Windows worker; brewkit builds with BuildKit only", job)
	}
	if err := e.admit(job, buildID); err != nil {
		return scheduler.Result{BuildID: buildID, Parents: resolved}, err
	}
	res, err := e.buildLocked(ctx, w, st, &request{job: job, parents: resolved, pins: pins, buildID: buildID, noCache: e.NoCache, pull: e.Pull == "always", load: e.Load}, prefix)
	res.BuildID, res.Parents = buildID, resolved // a failed build's too, for the record
	return res, err
}

// admit asks Admit whether job may be built now.
func (e *Executor) admit(job *scheduler.Job, buildID string) error {
	if e.Admit == nil {
		return nil
	}
	if err := e.Admit(job, buildID); err != nil {
		return fmt.Errorf("%s not admitted: %w", job, err)
	}
	return nil
}

// buildLocked builds req under its lock in Locks, unless another brewkit
// staged it while this one waited for the lock.
func (e *Executor) buildLocked(ctx context.Context, w workers.Worker, st stage, req *request, prefix string) (scheduler.Result, error) {
	unlock, err := e.Locks.Lock(ctx, st.lockKey(req.job.Arch, req.buildID), func() {
		e.note(prefix, "waiting for another brewkit that is building it")
	})
	if err != nil {
		return scheduler.Result{}, fmt.Errorf("%s: %w", req.job, err)
	}
	defer unlock()
	if res, ok, err := e.lookup(ctx, st, req.job.Arch, req.buildID, prefix); err != nil || ok {
		if err == nil {
			err = e.loadStaged(ctx, st, req.job, &res, prefix)
		}
		return res, err
	}
	if req.job.Builder == scheduler.BuilderOCIImport {
		res, err := e.importOCI(ctx, st, req.job, req.buildID)
		if err == nil {
			err = e.loadStaged(ctx, st, req.job, &res, prefix)
		}
		return res, err
	}
	req.export, req.stores = st.export(req.job.Arch, req.buildID)
	return e.solve(ctx, w, st, req, prefix)
}

// lookup looks buildID up in st, and notes when it is there. A failure
// is a *LookupError.
func (e *Executor) lookup(ctx context.Context, st stage, arch, buildID, prefix string) (scheduler.Result, bool, error) {
	res, ok, err := st.lookup(ctx, arch, buildID)
	if err != nil {
		return res, false, &LookupError{BuildID: buildID, Err: err}
	}
	if ok {
		e.note(prefix, "up to date: "+res.Ref)
	}
	return res, ok, nil
}

// stage is where images go: the Layout, or the registry's Staging.
func (e *Executor) stage() (stage, error) {
	if e.Layout != nil {
		return e.Layout, nil
	}
	if e.Staging == "" {
		return nil, errors.New("builder.Executor: set Staging (a registry) or Layout (a directory) to keep the images in")
	}
	return &registryStage{prefix: e.Staging, reg: e.Registry, found: e.LookupCache}, nil
}

// resolveParents gives every FROM but scratch its digest for the job's
// architecture: an in-plan parent's result, pinned where st keeps it, or
// the registry's answer.
func (e *Executor) resolveParents(ctx context.Context, st stage, job *scheduler.Job, parents []scheduler.ParentResult) ([]scheduler.Parent, map[string]string, error) {
	inPlan := map[string]scheduler.Result{}
	for _, p := range parents {
		inPlan[p.From] = p.Result
	}
	var resolved []scheduler.Parent
	pins := map[string]string{}
	for _, from := range job.Froms {
		if from == "scratch" {
			continue
		}
		if r, ok := inPlan[from]; ok {
			resolved = append(resolved, scheduler.Parent{From: from, Digest: r.Digest})
			pins[from] = st.pin(r)
			continue
		}
		pinned, digest, err := e.pinned(from)
		if pinned == "" && err == nil && e.Pull == "never" {
			err = errors.New("no job of the plan builds it, and pull is \"never\": not asking its registry")
		}
		if pinned == "" && err == nil {
			pinned, digest, err = e.externals.resolve(ctx, e.Registry, from, job.Arch)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("FROM %s for %s: %w", from, job.Arch, maybeTransient(err))
		}
		resolved = append(resolved, scheduler.Parent{From: from, Digest: digest})
		pins[from] = "docker-image://" + pinned
	}
	return resolved, pins, nil
}

// pinned is from's image in Pins and its digest, or "" if it has none.
func (e *Executor) pinned(from string) (pinned, digest string, err error) {
	pinned, ok := e.Pins[from]
	if !ok {
		return "", "", nil
	}
	ref, err := name.NewDigest(pinned)
	if err != nil {
		return "", "", fmt.Errorf("pinned to %q, not an image by digest: %w", pinned, err)
	}
	return ref.String(), ref.DigestStr(), nil
}

// solve runs the request on worker w and returns what st recorded.
func (e *Executor) solve(ctx context.Context, w workers.Worker, st stage, req *request, prefix string) (scheduler.Result, error) {
	c, d, err := e.client(ctx, w)
	if err != nil {
		return scheduler.Result{}, scheduler.Transient(err) // or unusable: bad TLS files
	}
	done, err := e.setContext(ctx, req)
	if err != nil {
		return scheduler.Result{}, err
	}
	defer done()
	opt := req.solveOpt()
	if req.load != nil {
		// First: BuildKit merges its exporters' responses in order, the
		// last one's keys winning, and the image st.commit records is the
		// one the main export wrote, not the docker exporter's.
		opt.Exports = append([]client.ExportEntry{req.loadExport(ctx)}, opt.Exports...)
	}
	kc := e.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opt.Session = []session.Attachable{authSession(kc)}
	resp, err := c.Build(ctx, opt, "brewkit", dockerfileBuild(opt.FrontendAttrs, req.job.Platform), e.statusChannel(req.job, prefix))
	if err != nil {
		if tlsErr := d.tlsErr(); tlsErr != nil { // the worker is unusable as described
			e.forget(w.Name, c)
			return scheduler.Result{}, fmt.Errorf("%s on worker %q at %s: %w", req.job, w.Name, w.Address, tlsErr)
		}
		if isTransient(err) {
			e.forget(w.Name, c)
			return scheduler.Result{}, scheduler.Transient(fmt.Errorf("%s on %s: %w", req.job, w.Name, err))
		}
		return scheduler.Result{}, fmt.Errorf("%s on %s: %w", req.job, w.Name, err)
	}
	res, err := st.commit(ctx, req.job.Arch, req.buildID, resp.ExporterResponse)
	if err != nil {
		return scheduler.Result{}, fmt.Errorf("%s: %w", req.job, err)
	}
	res.Loaded = req.load != nil
	if res.BuildKit, err = e.versions.of(ctx, c); err != nil { // a record, not a reason to fail the build
		e.note(prefix, "BuildKit version unknown: "+err.Error())
	}
	return res, nil
}

// statusChannel is the channel a Solve reports progress on, which Solve
// closes: its statuses go to the display and to the attempt's log, if
// there are, or are drained.
func (e *Executor) statusChannel(job *scheduler.Job, prefix string) chan *client.SolveStatus {
	var to []chan *client.SolveStatus
	if e.Status != nil {
		to = append(to, e.Status(job))
	}
	if e.Progress != nil {
		to = append(to, e.Progress.Job(prefix))
	}
	if l := e.jobLog(prefix); l != nil {
		to = append(to, l.progress.Job(prefix))
	}
	return fanOut(to...)
}

// note shows text under prefix in the display and the attempt's log.
func (e *Executor) note(prefix, text string) {
	if e.Progress != nil {
		e.Progress.Note(prefix, text)
	}
	if l := e.jobLog(prefix); l != nil {
		l.progress.Note(prefix, text)
	}
}

// conn is a connection to a worker and the dialer that knows why it
// failed.
type conn struct {
	c *client.Client
	d *dialer
}

// client returns the connection to w, dialling it the first time.
func (e *Executor) client(ctx context.Context, w workers.Worker) (*client.Client, *dialer, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cn, ok := e.clients[w.Name]; ok {
		return cn.c, cn.d, nil
	}
	c, d, err := dial(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	if e.clients == nil {
		e.clients = map[string]conn{}
	}
	e.clients[w.Name] = conn{c, d}
	return c, d, nil
}

// forget drops a connection that failed, so that the next attempt redials.
func (e *Executor) forget(worker string, c *client.Client) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.clients[worker].c == c {
		delete(e.clients, worker)
		c.Close()
	}
}

// Close closes the connections to the workers.
func (e *Executor) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for name, cn := range e.clients {
		errs = append(errs, cn.c.Close())
		delete(e.clients, name)
	}
	return errors.Join(errs...)
}

// isTransient tells a worker or network failure, worth another attempt,
// from a failed build.
func isTransient(err error) bool {
	if code := status.Code(errors.Unwrap(err)); code == codes.Unavailable {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s, ok := status.FromError(e); ok && s.Code() == codes.Unavailable {
			return true
		}
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

func maybeTransient(err error) error {
	if isTransient(err) {
		return scheduler.Transient(err)
	}
	return err
}

// NotBuiltError is a dry run's answer for a job that would be built.
type NotBuiltError struct {
	BuildID string
}

func (e *NotBuiltError) Error() string { return "not built yet (build id " + e.BuildID + ")" }
