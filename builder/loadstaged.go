package builder

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/brewkit/brewkit/builder/load"
	"github.com/brewkit/brewkit/scheduler"
)

// loadStaged writes the image of res, which st has for job already (it
// was up to date, or imported), to Load, if set, as a tarball naming
// job's tags ([loadNames]), and sets res.Loaded: --load loads every image
// of a run, not only those it solved. A registry's failure to read is
// marked transient when it is.
func (e *Executor) loadStaged(ctx context.Context, st stage, job *scheduler.Job, res *scheduler.Result, prefix string) error {
	if e.Load == nil {
		return nil
	}
	names := loadNames(job)
	img, err := st.staged(ctx, *res)
	if err != nil {
		return fmt.Errorf("%s: loading %s: %w", job, res.Ref, err)
	}
	w, err := e.Load(ctx)
	if err != nil {
		return fmt.Errorf("%s: loading %s: %w", job, res.Ref, err)
	}
	werr := load.WriteImage(ctx, w, img, names)
	if err := errors.Join(werr, w.Close()); err != nil {
		return fmt.Errorf("%s: loading %s: %w", job, res.Ref, maybeTransient(err))
	}
	res.Loaded = true
	e.note(prefix, "loaded "+res.Ref+" as "+strings.Join(names, ", "))
	return nil
}
