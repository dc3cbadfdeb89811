package localdaemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// binary returns the buildkitd to start: WithBuildkitd's, else the first
// executable "buildkitd" in the environment's PATH.
func (o options) binary() (string, error) {
	if o.buildkitd != "" {
		if err := executable(o.buildkitd); err != nil {
			return "", fmt.Errorf("buildkitd %s: %w", o.buildkitd, err)
		}
		return o.buildkitd, nil
	}
	return lookPath("buildkitd", o.getenv("PATH"))
}

// lookPath is exec.LookPath over the given PATH value rather than the
// process's. Relative PATH entries are skipped, as they name different
// directories depending on where brewkit runs.
func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not on PATH (%q)", name, path)
}

// executable reports why the file at path cannot be run, or nil.
func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}
