package builder

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tonistiigi/fsutil"
	"github.com/tonistiigi/fsutil/types"
	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/sourcetest"
	"github.com/brewkit/brewkit/scheduler"
)

const hostileArch = "amd64"

// TestHostileSources runs the corpus of package sourcetest through
// planning (the Inspector) and, for what the plan accepts, through what a
// build does without BuildKit: the build context is sent with BuildKit's
// own file sync into a directory, as a worker receives it, and an
// oci-import layout is staged into an OCI layout. Each case is refused
// with its message, or sends and stages nothing of the host's; nothing is
// written outside the work directories.
func TestHostileSources(t *testing.T) {
	t.Parallel()
	for _, c := range sourcetest.Hostile() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			o := sourcetest.NewOutside(t)
			defer o.Check(t)
			src, cache := hostileSource(t, c, o)
			err := planHostile(c, src, cache)
			switch {
			case c.Stage == sourcetest.Plan:
				wantRefusal(t, "plan", err, c.Refusal, o)
				return
			case err != nil:
				t.Fatalf("plan: %v (attack: %s)", err, c.Attack)
			}
			err = buildHostile(t, c, src, cache, o)
			if c.Stage == sourcetest.Build {
				wantRefusal(t, "build", err, c.Refusal, o)
			} else if err != nil {
				t.Fatalf("build: %v (attack: %s)", err, c.Attack)
			}
		})
	}
}

// hostileSource commits c's tree in a repository of its own and returns
// the entry's source and the git cache that plan and build share.
func hostileSource(t *testing.T, c sourcetest.Case, o *sourcetest.Outside) (scheduler.Source, *gitsource.Cache) {
	r := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), "repo"))
	src := scheduler.Source{GitRepo: r.Dir, GitFetch: "refs/heads/main", GitCommit: r.CommitNodes(c.Tree(t, o, hostileArch)...),
		Directory: c.Directory, File: c.File}
	if c.GitRepo != nil {
		src.GitRepo = c.GitRepo(o, r.Dir)
	}
	if src.Directory == "" {
		src.Directory = "."
	}
	if src.File == "" {
		src.File = "Dockerfile"
	}
	cache, err := gitsource.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	return src, cache
}

// planHostile inspects src as brewkit plan does.
func planHostile(c sourcetest.Case, src scheduler.Source, cache *gitsource.Cache) error {
	builder := c.Builder
	if builder == "" {
		builder = scheduler.BuilderBuildKit
	}
	_, err := NewInspector(cache).Inspect(context.Background(), src, hostileArch, builder)
	return err
}

// buildHostile does what a build does with src, short of BuildKit.
func buildHostile(t *testing.T, c sourcetest.Case, src scheduler.Source, cache *gitsource.Cache, o *sourcetest.Outside) error {
	ctx := context.Background()
	if c.Builder == scheduler.BuilderOCIImport {
		l, err := OpenLayout(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		job := &scheduler.Job{ID: c.Name, Arch: hostileArch, Builder: c.Builder, Source: src}
		buildID := scheduler.BuildID(strings.Repeat("0", 64), hostileArch, nil)
		if _, err := (&Executor{Cache: cache, Layout: l}).importOCI(ctx, l, job, buildID); err != nil {
			return err
		}
		noSecretIn(t, l.Dir(), o)
		return nil
	}
	commit, err := cache.Ensure(ctx, gitsource.Source{Repo: src.GitRepo, Fetch: src.GitFetch, Commit: src.GitCommit})
	if err != nil {
		return err
	}
	mounts, file, tree, err := localMounts(ctx, commit, src, time.Unix(1704067200, 0))
	if err != nil {
		return err
	}
	defer tree.Close()
	for name, mount := range mounts {
		dest := t.TempDir()
		if err := receive(ctx, mount, dest); err != nil {
			return err
		}
		noSecretIn(t, dest, o)
		if name == "dockerfile" {
			if b, err := os.ReadFile(filepath.Join(dest, file)); err != nil || string(b) != sourcetest.Dockerfile {
				t.Errorf("the dockerfile mount's %s: %q, %v", file, b, err)
			}
		}
	}
	return nil
}

// wantRefusal checks a refusal's message, which must not carry the
// secret either.
func wantRefusal(t *testing.T, stage string, err error, want string, o *sourcetest.Outside) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: got %v, want a refusal containing %q", stage, err, want)
	}
	if o.Leaked([]byte(err.Error())) {
		t.Errorf("%s: the refusal carries the secret: %v", stage, err)
	}
}

// noSecretIn fails t if a file under dir holds the secret. Symlinks are
// not followed.
func noSecretIn(t *testing.T, dir string, o *sourcetest.Outside) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && o.Leaked(b) {
			t.Errorf("%s holds the secret", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// receive sends mount with BuildKit's file sync into dest, as a worker
// receives a local mount.
func receive(ctx context.Context, mount fsutil.FS, dest string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, b := make(chan []byte, 16), make(chan []byte, 16)
	sender, receiver := &pipe{ctx: ctx, send: a, recv: b}, &pipe{ctx: ctx, send: b, recv: a}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(a)
		return fsutil.Send(gctx, sender, mount, nil)
	})
	g.Go(func() error { return fsutil.Receive(gctx, receiver, dest, fsutil.ReceiveOpt{}) })
	return g.Wait()
}

// pipe is one end of an in-process file sync stream.
type pipe struct {
	ctx        context.Context
	send, recv chan []byte
}

func (p *pipe) Context() context.Context { return p.ctx }

func (p *pipe) SendMsg(m any) error {
	dt, err := m.(*types.Packet).Marshal()
	if err != nil {
		return err
	}
	select {
	case p.send <- dt:
		return nil
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
}

func (p *pipe) RecvMsg(m any) error {
	select {
	case dt, ok := <-p.recv:
		if !ok {
			return io.EOF
		}
		return m.(*types.Packet).Unmarshal(dt)
	case <-p.ctx.Done():
		return errors.Join(p.ctx.Err(), io.EOF)
	}
}
