package serve

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/platforms"
)

// jobFilter is the filter of GET /api/v1/jobs?state=S&repo=R&arch=A. An
// unknown state or architecture is an error that lists the known ones; an
// unknown repository is not (it selects no job).
func jobFilter(q url.Values) (store.JobFilter, error) {
	f := store.JobFilter{State: q.Get("state"), Repo: q.Get("repo"), Arch: q.Get("arch")}
	if f.State != "" && !slices.Contains(States(), f.State) {
		return f, fmt.Errorf("state %.40q: want one of %s", f.State, strings.Join(States(), ", "))
	}
	if f.Arch != "" && !platforms.IsKnown(f.Arch) {
		return f, fmt.Errorf("arch %.40q: want one of %s", f.Arch, strings.Join(platforms.Names(), ", "))
	}
	return f, nil
}
