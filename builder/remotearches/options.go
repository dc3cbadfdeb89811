package remotearches

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Option configures a [Resolver].
type Option func(*options) error

type options struct {
	remote []remote.Option
	proxy  *url.URL
}

// WithRemote sets the options of the lookups in the image's own registry:
// credentials (remote.WithAuthFromKeychain(authn.DefaultKeychain)), a
// transport, retries. Default: none (anonymous, go-containerregistry's
// defaults). A Docker Hub proxy ([WithDockerHubProxy]) is asked without
// them.
func WithRemote(opts ...remote.Option) Option {
	return func(o *options) error {
		o.remote = append(o.remote, opts...)
		return nil
	}
}

// WithDockerHubProxy sends the lookups of Docker Hub images (docker.io/…,
// index.docker.io/… or no registry named) to proxy first, as bashbrew
// does when DOCKERHUB_PUBLIC_PROXY is set: proxy is an http or https URL
// ("http://127.0.0.1:5000", "https://mirror.example/hub"), whose path,
// if any, goes before /v2. The proxy is asked without credentials, with
// its URL's scheme (plain http included), and each request carries
// ns=docker.io, as containerd's resolver sends to a mirror; if it fails
// (no answer, no such image, an error), Docker Hub itself is asked, with
// [WithRemote]'s options. Other registries are never sent to proxy. An
// empty proxy means none, so that the variable can be passed as it is.
// Default: none.
func WithDockerHubProxy(proxy string) Option {
	return func(o *options) error {
		if proxy == "" {
			o.proxy = nil
			return nil
		}
		u, err := url.Parse(proxy)
		if err != nil {
			return fmt.Errorf("the Docker Hub proxy: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("the Docker Hub proxy %q: want http://HOST[:PORT][/PATH] or https://…", u.Redacted())
		}
		o.proxy = u
		return nil
	}
}

func makeOptions(opts []Option) (options, error) {
	var o options
	for _, opt := range opts {
		if opt == nil {
			return o, errors.New("remotearches: nil option")
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}
