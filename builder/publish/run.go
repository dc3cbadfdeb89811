package publish

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// run is one Publish: its clients and what it has learnt so far.
type run struct {
	o       *options
	rt      *RetryTransport // every request's
	reg     *registry
	blobs   *blobs
	images  flight[image]    // staged images, by arch and ref
	present flight[struct{}] // manifests present in a target repository, by repo@digest
}

func (p *Publisher) newRun() (*run, error) {
	rt := NewRetryTransport(p.o.transport, p.o.retry)
	b, err := newBlobs(rt, p.o.keychain)
	if err != nil {
		return nil, err
	}
	return &run{o: &p.o, rt: rt, reg: &registry{keychain: p.o.keychain, rt: rt, retry: p.o.retry}, blobs: b}, nil
}

// retries is how many requests the run has sent again: after an answer
// or an error [RetryTransport] retries, or a manifest the registry did
// not see the children of.
func (r *run) retries() int {
	return int(r.rt.Retries() + r.reg.retries.Load())
}

// close ends the run's shared work, cancelling what no target waits for
// any more, and returns when it has stopped.
func (r *run) close() {
	r.images.close()
	r.present.close()
	r.blobs.copies.close()
	r.reg.clients.close()
}

// publish writes one target, or says why not.
func (r *run) publish(ctx context.Context, t Target) Result {
	res := Result{Target: t, Action: Blocked}
	fail := func(err error) Result {
		res.Action, res.Err = Failed, err
		return res
	}
	if t.Err != nil {
		return fail(t.Err)
	}
	if t.Blocked {
		return res
	}
	idx, err := r.index(ctx, t)
	if err != nil {
		return fail(err)
	}
	res.describe(idx)
	ref, err := name.NewTag(t.Ref)
	if err != nil {
		return fail(err)
	}
	if r.o.tags.has(t.Ref, idx) {
		res.Action = UpToDate
		return res
	}
	have, err := r.reg.head(ctx, ref, !r.o.dryRun)
	if err != nil {
		return fail(err)
	}
	switch {
	case have != nil && have.Digest == idx.Digest && have.Size == int64(len(idx.Raw)):
		res.Action = UpToDate
		r.o.tags.add(t.Ref, idx)
	case r.o.dryRun:
		res.Action = WouldWrite
	default:
		if err := r.ensureAll(ctx, ref.Context(), idx.children); err != nil {
			return fail(err)
		}
		if err := r.reg.put(ctx, ref, idx.Raw, idx.MediaType); err != nil {
			return fail(err)
		}
		res.Action = Written
		r.o.tags.add(t.Ref, idx)
	}
	return res
}

// index reads the staged images of t's members and lays out its index.
func (r *run) index(ctx context.Context, t Target) (*index, error) {
	imgs := make([]image, len(t.Members))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.children)
	for i, m := range t.Members {
		g.Go(func() (err error) {
			imgs[i], err = r.staged(gctx, m)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return newIndex(imgs)
}

// ensureAll makes every child present in repo, and returns only when all
// are (or one cannot be).
func (r *run) ensureAll(ctx context.Context, repo name.Repository, children []child) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.children)
	for _, c := range children {
		g.Go(func() error { return r.ensure(gctx, repo, c) })
	}
	return g.Wait()
}

// ensure makes the manifest c present in repo: there already (HEAD, same
// digest and size), or copied from its staging repository, blobs first,
// then the manifest by digest, checked. Targets in repo share the work,
// so it runs under the flight's context.
func (r *run) ensure(ctx context.Context, repo name.Repository, c child) error {
	ref := repo.Digest(c.desc.Digest.String())
	_, err := r.present.do(ctx, ref.String(), func(ctx context.Context) (struct{}, error) {
		have, err := r.reg.head(ctx, ref, true)
		if err != nil {
			return struct{}{}, err
		}
		if have != nil && have.Digest == c.desc.Digest && have.Size == c.desc.Size {
			return struct{}{}, nil
		}
		return struct{}{}, r.copyManifest(ctx, ref, c)
	})
	return err
}

// copyManifest copies the image (or attestation) manifest c to dst: its
// config and layers, then itself.
func (r *run) copyManifest(ctx context.Context, dst name.Digest, c child) error {
	src, err := name.NewRepository(c.src)
	if err != nil {
		return err
	}
	raw := c.raw
	if raw == nil {
		if raw, _, err = r.reg.get(ctx, src.Digest(c.desc.Digest.String()), false); err != nil {
			return err
		}
	}
	if int64(len(raw)) != c.desc.Size {
		return fmt.Errorf("%s@%s: %d bytes, the descriptor says %d", src, c.desc.Digest, len(raw), c.desc.Size)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s@%s: %w", src, c.desc.Digest, err)
	}
	if m.Config.Digest == "" {
		return fmt.Errorf("%s@%s: not an image manifest (%s)", src, c.desc.Digest, c.desc.MediaType)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.children)
	for _, b := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		g.Go(func() error { return r.blobs.copy(gctx, src, dst.Context(), b) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return r.reg.put(ctx, dst, raw, c.desc.MediaType)
}
