package remotearches

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// dockerHubNamespace is the ns query parameter containerd's resolver adds
// to a request for a docker.io image sent to another host (a mirror).
const dockerHubNamespace = "docker.io"

// isDockerHub tells whether ref is a Docker Hub image, which bashbrew
// looks up through DOCKERHUB_PUBLIC_PROXY.
func isDockerHub(ref name.Reference) bool {
	return ref.Context().RegistryStr() == name.DefaultRegistry
}

// resolveDockerHub is [Resolver.Resolve] of a Docker Hub image with a
// proxy: the proxy first, then Docker Hub.
func (r *Resolver) resolveDockerHub(ctx context.Context, refStr string, ref name.Reference) (*Image, error) {
	proxy := r.opts.proxy
	pref, err := viaProxy(ref, proxy)
	if err != nil {
		return nil, fmt.Errorf("image %s through the Docker Hub proxy %s: %w", refStr, proxy.Redacted(), err)
	}
	img, perr := resolve(ctx, refStr, pref, proxyOptions(proxy))
	if perr == nil {
		return img, nil
	}
	img, herr := resolve(ctx, refStr, ref, r.opts.remote)
	if herr == nil {
		return img, nil
	}
	if isNotFound(perr) && !isNotFound(herr) {
		return nil, fmt.Errorf("%w (the Docker Hub proxy %s: %v)", herr, proxy.Redacted(), perr)
	}
	return nil, fmt.Errorf("the Docker Hub proxy %s: %w (Docker Hub: %v)", proxy.Redacted(), perr, herr)
}

// isNotFound tells whether err is a registry's 404.
func isNotFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}

// viaProxy is ref in the same repository of proxy's registry.
func viaProxy(ref name.Reference, proxy *url.URL) (name.Reference, error) {
	var ropts []name.Option
	if proxy.Scheme == "http" {
		ropts = append(ropts, name.Insecure)
	}
	reg, err := name.NewRegistry(proxy.Host, ropts...)
	if err != nil {
		return nil, err
	}
	repo := reg.Repo(ref.Context().RepositoryStr())
	if d, ok := ref.(name.Digest); ok {
		return repo.Digest(d.DigestStr()), nil
	}
	return repo.Tag(ref.Identifier()), nil
}

// proxyOptions are the options of a lookup through proxy: no
// credentials, no retries (a failure sends the lookup to Docker Hub), and
// requests made as bashbrew's resolver makes them.
func proxyOptions(proxy *url.URL) []remote.Option {
	return []remote.Option{
		remote.WithAuth(authn.Anonymous),
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}),
		remote.WithTransport(&proxyTransport{proxy: proxy, base: remote.DefaultTransport}),
	}
}

// proxyTransport sends the requests for proxy's host with proxy's scheme
// (go-containerregistry would pick http for a loopback or private
// address), proxy's path before the registry API's (/v2/…) and
// ns=docker.io.
type proxyTransport struct {
	proxy *url.URL
	base  http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *proxyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.proxy.Host {
		return t.base.RoundTrip(req) // a token service or a redirect elsewhere
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.proxy.Scheme
	if p := strings.TrimSuffix(t.proxy.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		r.URL.RawPath = ""
	}
	q := r.URL.Query()
	q.Set("ns", dockerHubNamespace)
	r.URL.RawQuery = q.Encode()
	return t.base.RoundTrip(r)
}
