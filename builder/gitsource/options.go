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
	logger       *slog.Logger
}

// defaultFetchTimeout bounds one git fetch. bashbrew fetches whole branch
// histories when a server refuses fetch-by-commit, which can take minutes
// for big repositories.
const defaultFetchTimeout = 10 * time.Minute

func makeOptions(opts []Option) (options, error) {
	o := options{
		git:          "git",
		fetchTimeout: defaultFetchTimeout,
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
// transport that waits for credentials cannot hang a build. The default is
// 10 minutes. d must be positive.
func WithFetchTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("gitsource.WithFetchTimeout: %v is not positive", d)
		}
		o.fetchTimeout = d
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
