package imagediff

import "errors"

// Option configures [Compare].
type Option func(*options) error

type options struct {
	reportDir string
	perFile   int64
	total     int64
}

// WithReportDir has Compare write both versions of each differing regular
// file under dir/published/PATH and dir/rebuilt/PATH (default: none
// written). See the package documentation, "Report directory".
func WithReportDir(dir string) Option {
	return func(o *options) error {
		if dir == "" {
			return errors.New("imagediff: empty report directory")
		}
		o.reportDir = dir
		return nil
	}
}

// WithReportLimits bounds what the report directory holds: perFile bytes
// of each file (default 16 MiB) and total bytes in all (default 256 MiB).
func WithReportLimits(perFile, total int64) Option {
	return func(o *options) error {
		if perFile <= 0 || total <= 0 {
			return errors.New("imagediff: report limits must be positive")
		}
		o.perFile, o.total = perFile, total
		return nil
	}
}

func makeOptions(opts []Option) (options, error) {
	o := options{perFile: 16 << 20, total: 256 << 20}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}
