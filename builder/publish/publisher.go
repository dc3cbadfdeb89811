package publish

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Publisher writes [Target]s to their registries.
type Publisher struct {
	o options
}

type options struct {
	jobs      int
	children  int
	dryRun    bool
	keychain  authn.Keychain
	transport http.RoundTripper
	retry     RetryPolicy
	staged    *StagedCache
	tags      *TagCache
}

// Option configures a [Publisher].
type Option func(*options) error

// WithJobs sets how many targets are published at once (default 8).
func WithJobs(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("publish: jobs must be positive")
		}
		o.jobs = n
		return nil
	}
}

// WithDryRun makes Publish read only: it resolves every target and
// computes its index, asks the registry whether it is there, and reports
// what it would write (Action WouldWrite), writing nothing (default false).
func WithDryRun(dry bool) Option {
	return func(o *options) error {
		o.dryRun = dry
		return nil
	}
}

// WithKeychain sets where credentials come from (default
// [authn.DefaultKeychain]: the Docker config file and its credential
// helpers).
func WithKeychain(kc authn.Keychain) Option {
	return func(o *options) error {
		if kc == nil {
			return errors.New("publish: nil keychain")
		}
		o.keychain = kc
		return nil
	}
}

// WithTransport sets the transport under the retries (default
// go-containerregistry's [remote.DefaultTransport]).
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error {
		if t == nil {
			return errors.New("publish: nil transport")
		}
		o.transport = t
		return nil
	}
}

// WithRetryPolicy sets the retries and timeouts of every request (default:
// the zero RetryPolicy's defaults).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(o *options) error {
		o.retry = p
		return nil
	}
}

// WithStagedCache has the Publishes that share c read each staged image
// once (default none: each Publish reads the images of its targets once).
// A daemon that publishes the same library after every run keeps one.
func WithStagedCache(c *StagedCache) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("publish: nil staged cache")
		}
		o.staged = c
		return nil
	}
}

// WithTagCache has the Publishes that share c skip the registry's answer
// for a tag found or written with the same index less than c's MaxAge ago
// (default none: every tag is asked about). See [TagCache].
func WithTagCache(c *TagCache) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("publish: nil tag cache")
		}
		o.tags = c
		return nil
	}
}

// New returns a Publisher.
func New(opts ...Option) (*Publisher, error) {
	o := options{jobs: 8, children: 4, keychain: authn.DefaultKeychain, transport: remote.DefaultTransport}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	o.retry = o.retry.withDefaults()
	return &Publisher{o: o}, nil
}

// Publish writes targets, several at once, and reports on each in target
// order. For every target that is not Blocked it reads the staged images,
// computes the index, and compares it with the registry's (HEAD): an
// identical index (digest and size) is not written again. Otherwise it
// first makes every manifest the index references present in the
// target's repository (a HEAD, or a copy: blobs mounted or copied, then
// the manifest, verified), and writes the index only when all are, then
// checks the digest the registry stored.
//
// A target that fails does not stop the others, nor the work it shares
// with them (reading a staged image, copying a manifest or a blob), which
// Publish cancels only when it returns. The error is the failures joined
// ([Summary.Err]), or the context's.
func (p *Publisher) Publish(ctx context.Context, targets []Target) (*Summary, error) {
	r, err := p.newRun()
	if err != nil {
		return nil, err
	}
	defer r.close()
	s := &Summary{Results: make([]Result, len(targets)), DryRun: p.o.dryRun, Start: time.Now()}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.o.jobs)
	for i, t := range targets {
		g.Go(func() error {
			s.Results[i] = r.publish(gctx, t)
			return gctx.Err()
		})
	}
	waitErr := g.Wait()
	s.End, s.Retries = time.Now(), r.retries()
	return s, errors.Join(waitErr, s.Err())
}
