package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/opencontainers/go-digest"
)

// manifestTypes are the manifest media types a publish reads and writes.
var manifestTypes = []string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}

// maxManifest bounds a manifest or config read into memory.
const maxManifest = 4 << 20

// registry reads and writes manifests and small blobs with plain
// distribution-API requests, authenticated by go-containerregistry's
// transport (credentials from the keychain, bearer tokens per repository
// and scope). Blobs are copied by [copier], through go-containerregistry.
type registry struct {
	keychain authn.Keychain
	rt       http.RoundTripper // the RetryTransport every request goes through
	retry    RetryPolicy       // rt's, for the retries of put
	clients  flight[*http.Client]
	retries  atomic.Int64 // of put, after a MANIFEST_BLOB_UNKNOWN
}

// found is what a HEAD of a manifest said: its digest and size.
type found struct {
	Digest digest.Digest
	Size   int64
}

// client is an authenticated client for repo, allowed to push when push.
func (r *registry) client(ctx context.Context, repo name.Repository, push bool) (*http.Client, error) {
	scope := repo.Scope(transport.PullScope)
	if push {
		scope = repo.Scope(transport.PushScope)
	}
	return r.clients.do(ctx, repo.RegistryStr()+" "+scope, func(ctx context.Context) (*http.Client, error) {
		auth, err := authn.Resolve(ctx, r.keychain, repo)
		if err != nil {
			return nil, fmt.Errorf("credentials for %s: %w", repo, err)
		}
		t, err := transport.NewWithContext(ctx, repo.Registry, auth, r.rt, []string{scope})
		if err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", repo, err)
		}
		return &http.Client{Transport: t}, nil
	})
}

func manifestURL(ref name.Reference) string {
	repo := ref.Context()
	return fmt.Sprintf("%s://%s/v2/%s/manifests/%s", repo.Scheme(), repo.RegistryStr(), repo.RepositoryStr(), ref.Identifier())
}

func blobURL(d name.Digest) string {
	repo := d.Context()
	return fmt.Sprintf("%s://%s/v2/%s/blobs/%s", repo.Scheme(), repo.RegistryStr(), repo.RepositoryStr(), d.DigestStr())
}

// do sends a request for ref's repository and checks the answer is one
// of ok; the caller closes the body.
func (r *registry) do(ctx context.Context, repo name.Repository, push bool, req *http.Request, ok ...int) (*http.Response, error) {
	c, err := r.client(ctx, repo, push)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	if err := transport.CheckError(resp, ok...); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// head returns the digest and size of the manifest ref names, or nil when
// there is none. A registry that leaves out Docker-Content-Digest is asked
// for the manifest itself.
func (r *registry) head(ctx context.Context, ref name.Reference, push bool) (*found, error) {
	req, err := http.NewRequest(http.MethodHead, manifestURL(ref), nil)
	if err != nil {
		return nil, err
	}
	for _, mt := range manifestTypes {
		req.Header.Add("Accept", mt)
	}
	resp, err := r.do(ctx, ref.Context(), push, req, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, fmt.Errorf("HEAD %s: %w", ref, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	d, err := digest.Parse(resp.Header.Get("Docker-Content-Digest"))
	size, sizeErr := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil || sizeErr != nil {
		raw, _, err := r.get(ctx, ref, push)
		if err != nil {
			return nil, err
		}
		return &found{Digest: digest.FromBytes(raw), Size: int64(len(raw))}, nil
	}
	return &found{Digest: d, Size: size}, nil
}

// get returns the manifest ref names and its media type. A reference by
// digest is verified against it.
func (r *registry) get(ctx context.Context, ref name.Reference, push bool) ([]byte, string, error) {
	req, err := http.NewRequest(http.MethodGet, manifestURL(ref), nil)
	if err != nil {
		return nil, "", err
	}
	for _, mt := range manifestTypes {
		req.Header.Add("Accept", mt)
	}
	resp, err := r.do(ctx, ref.Context(), push, req, http.StatusOK)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", ref, err)
	}
	defer resp.Body.Close()
	raw, err := readAll(resp.Body, maxManifest)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", ref, err)
	}
	if d, ok := ref.(name.Digest); ok {
		if got := digest.FromBytes(raw); got.String() != d.DigestStr() {
			return nil, "", fmt.Errorf("GET %s: the registry sent a manifest of digest %s", ref, got)
		}
	}
	return raw, resp.Header.Get("Content-Type"), nil
}

// blob returns the small blob d (a config), verified.
func (r *registry) blob(ctx context.Context, d name.Digest) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, blobURL(d), nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.do(ctx, d.Context(), false, req, http.StatusOK)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", d, err)
	}
	defer resp.Body.Close()
	raw, err := readAll(resp.Body, maxManifest)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", d, err)
	}
	if got := digest.FromBytes(raw); got.String() != d.DigestStr() {
		return nil, fmt.Errorf("GET %s: the registry sent a blob of digest %s", d, got)
	}
	return raw, nil
}

// put writes raw, of mediaType, as the manifest ref names and checks that
// the registry stored it under its digest: the Docker-Content-Digest it
// answers with, or else what a HEAD finds.
//
// Callers put a manifest only once everything it references is present
// (children first), so a MANIFEST_BLOB_UNKNOWN answer means the registry
// did not see, for an instant, what it has: put tries again, as often and
// after the same backoff as [RetryPolicy] says for a 5xx. Distribution 2.8
// (filesystem storage) answers so when another client pushes or mounts a
// blob, or puts a manifest, that the repository has already: it rewrites
// the link file in place, truncating it first, and a manifest verified in
// that instant finds the link empty (DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN).
// Two brewkits publishing the same images at once do just that.
func (r *registry) put(ctx context.Context, ref name.Reference, raw []byte, mediaType string) error {
	for attempt := 1; ; attempt++ {
		err := r.putOnce(ctx, ref, raw, mediaType)
		if err == nil || !childUnseen(err) || attempt >= r.retry.Attempts {
			return err
		}
		r.retries.Add(1)
		if err := sleepCtx(ctx, min(r.retry.Backoff<<(attempt-1), r.retry.MaxBackoff)); err != nil {
			return fmt.Errorf("PUT %s: %w", ref, err)
		}
	}
}

// childUnseen reports whether err is a registry's MANIFEST_BLOB_UNKNOWN.
func childUnseen(err error) bool {
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != http.StatusBadRequest {
		return false
	}
	for _, d := range terr.Errors {
		if d.Code == transport.ManifestBlobUnknownErrorCode {
			return true
		}
	}
	return false
}

func (r *registry) putOnce(ctx context.Context, ref name.Reference, raw []byte, mediaType string) error {
	want := digest.FromBytes(raw)
	req, err := http.NewRequest(http.MethodPut, manifestURL(ref), bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mediaType)
	resp, err := r.do(ctx, ref.Context(), true, req, http.StatusCreated, http.StatusOK, http.StatusAccepted)
	if err != nil {
		return fmt.Errorf("PUT %s: %w", ref, err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Docker-Content-Digest"); got != "" {
		if got != want.String() {
			return fmt.Errorf("PUT %s: the registry stored %s, not %s", ref, got, want)
		}
		return nil
	}
	f, err := r.head(ctx, ref, true)
	if err != nil {
		return fmt.Errorf("PUT %s: checking it: %w", ref, err)
	}
	if f == nil || f.Digest != want || f.Size != int64(len(raw)) {
		return fmt.Errorf("PUT %s: the registry does not have %s (%d bytes) there: %+v", ref, want, len(raw), f)
	}
	return nil
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("more than %d bytes", limit)
	}
	return raw, nil
}
