package store

import (
	"fmt"
	"time"
)

// An Option configures [Open]. Options validate their arguments: Open
// returns the first error an option gives.
type Option func(*options) error

// options holds the settings of a [Store]; [makeOptions] holds every
// default.
type options struct {
	lockTimeout  time.Duration
	runRetention int
}

// makeOptions applies opts over the defaults.
func makeOptions(opts ...Option) (options, error) {
	o := options{
		lockTimeout:  time.Second,
		runRetention: 1000,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	return o, nil
}

// WithLockTimeout sets how long [Open] waits for the lock on the state
// file that another process holds before it gives up with an error
// saying the state directory is in use. The default is one second; d
// must be positive.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("lock timeout %v: must be positive", d)
		}
		o.lockTimeout = d
		return nil
	}
}

// WithRunRetention sets how many runs the store keeps: [Store.StartRun]
// deletes the oldest beyond n. The default is 1000; n must be positive.
func WithRunRetention(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("run retention %d: must be positive", n)
		}
		o.runRetention = n
		return nil
	}
}
