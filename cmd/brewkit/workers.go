package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
)

type workersOptions struct {
	*globalOptions
	farm    farmOptions
	format  string
	timeout time.Duration
}

func newWorkersCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &workersOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "workers",
		Short: "Check that the BuildKit workers answer and build the arches they claim",
		Long: `Check that the BuildKit workers answer and build the arches they claim.

Workers come from a workers file (--workers, or $BREWKIT_WORKERS), such as
the .farm/workers.yaml that hack/farm up writes, and from --worker flags.
The command probes them all at once and prints one line per worker: its
BuildKit version, the platforms it advertises, the arches it builds natively,
its slots (builds at once) and its state: up, DOWN (no answer: it may come
back), or UNUSABLE (a configuration error, such as a TLS certificate signed by
another CA, expired, or for another name; the note says which). It fails when
a worker is down or unusable or does not advertise an arch it claims.`,
		Example: `  brewkit workers --workers .farm/workers.yaml
  brewkit workers --workers .farm/workers-tls.yaml
  brewkit workers --worker amd64=unix:///run/buildkit/buildkitd.sock --worker arm64v8=tcp://10.0.0.7:1234`,
		Args: cobra.NoArgs,
		RunE: o.run,
	}
	f := cmd.Flags()
	o.farm.register(f, getenv)
	f.StringVar(&o.format, "format", "table", "output format: table or json")
	f.DurationVar(&o.timeout, "timeout", builder.DefaultProbeTimeout, "how long to wait for each worker to answer")
	return cmd
}

func (o *workersOptions) run(cmd *cobra.Command, _ []string) error {
	write, ok := map[string]func(io.Writer, []builder.WorkerStatus) error{
		"table": writeWorkersTable,
		"json":  writeWorkersJSON,
	}[o.format]
	if !ok {
		return fmt.Errorf("--format %q: want table or json", o.format)
	}
	ws, _, err := o.farm.load()
	if err != nil {
		return err
	}
	statuses := builder.ProbeAll(cmd.Context(), ws, builder.WithProbeTimeout(o.timeout))
	if err := write(cmd.OutOrStdout(), statuses); err != nil {
		return err
	}
	return workersVerdict(statuses)
}

func writeWorkersTable(w io.Writer, statuses []builder.WorkerStatus) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADDRESS\tSTATE\tBUILDKIT\tPLATFORMS\tNATIVE\tSLOTS\tNOTE")
	for _, s := range statuses {
		state, version, plats := workerState(s), "-", "-"
		if s.Up {
			version, plats = s.BuildKitVersion, strings.Join(formatPlatforms(s), ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Worker.Name, s.Worker.Address, state, version,
			plats, strings.Join(s.Worker.Arches, ","), s.Worker.Slots(), workerNote(s))
	}
	return tw.Flush()
}

// workerState is a worker's STATE: up, DOWN (it may come back), or
// UNUSABLE (its configuration is wrong, such as a TLS certificate brewkit
// must not trust: a build does not wait for it).
func workerState(s builder.WorkerStatus) string {
	switch {
	case s.Up:
		return "up"
	case scheduler.IsUnusable(s.Err):
		return "UNUSABLE"
	}
	return "DOWN"
}

// workerNote says what is wrong with a worker, if anything.
func workerNote(s builder.WorkerStatus) string {
	if !s.Up {
		var pe *builder.ProbeError
		if errors.As(s.Err, &pe) {
			return pe.Err.Error() // the NAME and ADDRESS columns say the rest
		}
		return fmt.Sprint(s.Err)
	}
	switch len(s.MissingArches) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("claims %s but does not advertise it", s.MissingArches[0])
	default:
		return fmt.Sprintf("claims %s but does not advertise them", strings.Join(s.MissingArches, ", "))
	}
}

func formatPlatforms(s builder.WorkerStatus) []string {
	out := make([]string, len(s.Platforms))
	for i, p := range s.Platforms {
		out[i] = platforms.Format(p)
	}
	return out
}

// workerJSON is a worker's line in --format json.
type workerJSON struct {
	Name            string   `json:"name"`
	Address         string   `json:"address"`
	Arches          []string `json:"arches"`
	Up              bool     `json:"up"`
	Unusable        bool     `json:"unusable,omitempty"`
	Slots           int      `json:"slots"`
	Error           string   `json:"error,omitempty"`
	BuildKitVersion string   `json:"buildkitVersion,omitempty"`
	Platforms       []string `json:"platforms"`
	MissingArches   []string `json:"missingArches,omitempty"`
}

func writeWorkersJSON(w io.Writer, statuses []builder.WorkerStatus) error {
	out := make([]workerJSON, len(statuses))
	for i, s := range statuses {
		out[i] = workerJSON{
			Name: s.Worker.Name, Address: s.Worker.Address, Arches: s.Worker.Arches, Up: s.Up,
			Unusable: scheduler.IsUnusable(s.Err), Slots: s.Worker.Slots(),
			BuildKitVersion: s.BuildKitVersion, Platforms: formatPlatforms(s), MissingArches: s.MissingArches,
		}
		if s.Err != nil {
			out[i].Error = s.Err.Error()
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// workersVerdict fails when a worker is down or lacks an arch it claims.
func workersVerdict(statuses []builder.WorkerStatus) error {
	var errs []error
	down := 0
	for _, s := range statuses {
		switch {
		case scheduler.IsUnusable(s.Err):
			errs = append(errs, fmt.Errorf("worker %s cannot be used: %w", s.Worker.Name, s.Err))
		case !s.Up:
			down++
		}
	}
	switch {
	case down == 1:
		errs = append(errs, fmt.Errorf("1 of %d workers is down", len(statuses)))
	case down > 1:
		errs = append(errs, fmt.Errorf("%d of %d workers are down", down, len(statuses)))
	}
	for _, s := range statuses {
		for _, a := range s.MissingArches {
			errs = append(errs, fmt.Errorf("worker %s does not build its claimed arch %s", s.Worker.Name, a))
		}
	}
	return errors.Join(errs...)
}
