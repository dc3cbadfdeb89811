package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/brewkit/brewkit/scheduler/workers"
)

// farmOptions say where builds run: the workers, and the registry they
// push to and pull from.
type farmOptions struct {
	file     string
	flags    []string
	registry string
}

func (f *farmOptions) register(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.file, "workers", getenv("BREWKIT_WORKERS"), "workers file, YAML ($BREWKIT_WORKERS)")
	fs.StringArrayVar(&f.flags, "worker", nil, "a worker as ARCH[,ARCH...]=ADDRESS, such as arm64v8=tcp://10.0.0.7:1234 (repeatable)")
	fs.StringVar(&f.registry, "registry", getenv("BREWKIT_REGISTRY"), "registry the workers push to and pull from, such as 127.0.0.1:5000 ($BREWKIT_REGISTRY; default: the workers file's)")
}

// given reports whether any worker was named.
func (f *farmOptions) given() bool { return f.file != "" || len(f.flags) > 0 }

// load returns the workers of --workers and --worker, validated together,
// and the registry.
func (f *farmOptions) load() ([]workers.Worker, string, error) {
	var (
		ws   []workers.Worker
		errs []error
	)
	registry := f.registry
	if f.file != "" {
		cfg, err := workers.LoadConfig(f.file)
		if err != nil {
			return nil, "", err
		}
		ws = cfg.Workers
		if registry == "" {
			registry = cfg.Registry
		}
	}
	for _, s := range f.flags {
		w, err := workers.ParseFlag(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("--worker: %w", err))
			continue
		}
		ws = append(ws, w)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	if len(ws) == 0 {
		return nil, "", errors.New("no workers: give a workers file with --workers FILE or $BREWKIT_WORKERS " +
			"(hack/farm up writes .farm/workers.yaml), or workers with --worker ARCH=ADDRESS, " +
			"such as --worker amd64=unix:///run/buildkit/buildkitd.sock")
	}
	if err := workers.Validate(ws); err != nil {
		return nil, "", fmt.Errorf("the workers of --workers %s and --worker together: %w", f.file, err)
	}
	return ws, registry, nil
}
