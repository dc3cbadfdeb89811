package publish

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// blobs copies blobs between repositories with go-containerregistry's
// pusher: it HEADs the blob in the target first, then asks the registry to
// mount it from the source repository (POST …/blobs/uploads/?mount=&from=),
// which a registry does when both are its own, and streams it across
// (download, upload) when the registry declines. Make one per publish:
// the pusher remembers what it copied.
//
// The pusher and the puller share work between their callers under the
// first caller's context (a repository's handshake, a blob's upload), so
// they are only called from a call of copies, whose context no target
// can cancel: one target's failure cannot fail another's copy.
type blobs struct {
	pusher *remote.Pusher
	puller *remote.Puller
	copies flight[struct{}] // blobs present in a repository, by repo@digest
}

// newBlobs returns blobs whose requests go through rt, as
// [RemoteOptions] says.
func newBlobs(rt *RetryTransport, kc authn.Keychain) (*blobs, error) {
	opts := RemoteOptions(rt, kc)
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, err
	}
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, err
	}
	return &blobs{pusher: pusher, puller: puller}, nil
}

// RemoteOptions are the go-containerregistry options of a client whose
// requests go through rt, with credentials from kc, so that it retries a
// registry's faults as a publish does. Retries of answers are rt's:
// go-containerregistry retries no status itself, and restarts a whole
// blob upload (which rt cannot replay) at most three times.
func RemoteOptions(rt *RetryTransport, kc authn.Keychain) []remote.Option {
	return []remote.Option{
		remote.WithTransport(rt),
		remote.WithAuthFromKeychain(kc),
		remote.WithRetryStatusCodes(),
		remote.WithRetryBackoff(remote.Backoff{Duration: rt.policy.Backoff, Factor: 2, Steps: 3}),
	}
}

// copy makes the blob desc of repository src present in dst. Blobs that
// may not be distributed (Windows base layers) are left where they are.
func (b *blobs) copy(ctx context.Context, src, dst name.Repository, desc ocispec.Descriptor) error {
	if !types.MediaType(desc.MediaType).IsDistributable() {
		return nil
	}
	from := src.Digest(desc.Digest.String())
	_, err := b.copies.do(ctx, dst.Digest(desc.Digest.String()).String(), func(ctx context.Context) (struct{}, error) {
		if err := b.upload(ctx, from, dst, desc); err != nil {
			return struct{}{}, fmt.Errorf("copying blob %s to %s: %w", from, dst, err)
		}
		return struct{}{}, nil
	})
	return err
}

// upload mounts or copies the blob from into dst.
func (b *blobs) upload(ctx context.Context, from name.Digest, dst name.Repository, desc ocispec.Descriptor) error {
	l, err := partial.CompressedToLayer(&blobLayer{ctx: ctx, puller: b.puller, ref: from, desc: desc})
	if err != nil {
		return err
	}
	return b.pusher.Upload(ctx, dst, &remote.MountableLayer{Layer: l, Reference: from})
}

// blobLayer is a blob of a manifest as a layer go-containerregistry can
// mount or upload: its digest, size and media type come from the
// manifest, so nothing is asked of the source unless it must be read.
type blobLayer struct {
	// ctx is the copy's: go-containerregistry's Compressed takes none.
	ctx    context.Context
	puller *remote.Puller
	ref    name.Digest
	desc   ocispec.Descriptor
}

var _ partial.CompressedLayer = (*blobLayer)(nil)

func (l *blobLayer) Digest() (v1.Hash, error) { return v1.NewHash(l.desc.Digest.String()) }
func (l *blobLayer) Size() (int64, error)     { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.desc.MediaType), nil
}

func (l *blobLayer) Compressed() (io.ReadCloser, error) {
	rl, err := l.puller.Layer(l.ctx, l.ref)
	if err != nil {
		return nil, err
	}
	return rl.Compressed()
}
