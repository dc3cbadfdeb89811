package gitsource

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Option configures a [Cache]. Options validate their argument; [Open]
// returns the first error.
type Option func(*options) error

type options struct {
	git          string
	fetchTimeout time.Duration
	failureTTL   time.Duration
	logger       *slog.Logger
}

// Defaults of [WithFetchTimeout] and [WithFailureTTL]. A fetch that
// stalls is stopped sooner, by git's own speed limit (see [Cache.fetch]);
// the timeout bounds the rest (an ssh or git:// connection that hangs, a
// trickle). It is generous because, when a server refuses fetch-by-commit,
// a branch's whole history is fetched, as bashbrew does, which can take
// minutes for repositories that keep root filesystems in git.
const (
	defaultFetchTimeout = 5 * time.Minute
	defaultFailureTTL   = time.Minute
)

func makeOptions(opts []Option) (options, error) {
	o := options{
		git:          "git",
		fetchTimeout: defaultFetchTimeout,
		failureTTL:   defaultFailureTTL,
		logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

// WithGit sets the git binary: a name looked up in PATH or a path. The
// default is "git".
func WithGit(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("gitsource.WithGit: empty path")
		}
		o.git = path
		return nil
	}
}

// WithFetchTimeout bounds each network fetch, so a server that stalls or a
// transport that waits for credentials cannot hang a build: the fetch fails
// with a *[FetchError] that says it timed out after d. The default is
// 5 minutes. d must be positive.
func WithFetchTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("gitsource.WithFetchTimeout: %v is not positive", d)
		}
		o.fetchTimeout = d
		return nil
	}
}

// WithFailureTTL sets how long a repository that could not be fetched from
// is not tried again: within d of the failure, [Cache.Head] of the same
// GitRepo, and [Cache.Ensure] of a commit of it that is not in the cache,
// fail at once with a *[FetchError] whose Repeat is set. After d, the next
// call fetches again, so a long-lived Cache recovers when the network
// does. The
// default is 1 minute; 0 remembers no failure. d must not be negative.
func WithFailureTTL(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("gitsource.WithFailureTTL: %v is negative", d)
		}
		o.failureTTL = d
		return nil
	}
}

// WithLogger sets the logger for fetches and warnings (such as a git://
// GitHub URL rewritten to https://). The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("gitsource.WithLogger: nil logger")
		}
		o.logger = l
		return nil
	}
}
