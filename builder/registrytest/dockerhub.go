package registrytest

import (
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
)

// DockerHub returns a transport that sends what go-containerregistry asks
// of Docker Hub (index.docker.io, over https) to the registry at host over
// plain http instead, so that a test's lookups of Docker Hub images stay
// on the machine; other hosts are asked as they are, with
// http.DefaultTransport. Give it as remote.WithTransport(DockerHub(host)).
// host may be an address nothing listens on, for a Docker Hub that cannot
// be reached.
func DockerHub(host string) http.RoundTripper {
	return dockerHub{host}
}

type dockerHub struct{ host string }

// RoundTrip implements http.RoundTripper.
func (h dockerHub) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != name.DefaultRegistry {
		return http.DefaultTransport.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host = "http", h.host
	return http.DefaultTransport.RoundTrip(r)
}
