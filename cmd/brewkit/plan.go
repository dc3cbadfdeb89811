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

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/workers"
)

type planOptions struct {
	engineOptions
	format  string
	staging string
}

func newPlanCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &planOptions{engineOptions: engineOptions{globalOptions: g}}
	cmd := &cobra.Command{
		Use:   "plan [repo[:tag]...]",
		Short: "Show the jobs a build would run, their sources and FROM edges; build nothing",
		Long: `Show the jobs a build would run: one per entry and architecture, identical
sources merged, each with its source id and the jobs it is built FROM.
Sources are fetched into the git cache and their Dockerfiles read; nothing
is built. With workers, arches no worker builds are left out, as build does.

With a registry (--registry, a workers file naming one, or --staging), each
job is looked up in the staging repositories by its build id: up to date,
to build, or after its parents. A lookup that fails (401, 5xx, no answer)
shows as "lookup failed", its children as unknown, and plan exits non-zero
naming the image looked up and what the registry answered.

A shared tag that two entries give the same architecture from different
sources cannot be published (an index holds one image per platform): plan
lists each such conflict with the entries' files and lines ("conflicts"
in JSON) and exits non-zero. build reports them before building, builds
every job, publishes every other tag, and exits non-zero.`,
		Example: `  brewkit plan --library hack/example/library --all
  brewkit plan --format json --workers .farm/workers.yaml golang:1.22`,
		RunE: o.run,
	}
	o.register(cmd, getenv)
	cmd.Flags().StringVar(&o.format, "format", "table", "output format: table or json")
	cmd.Flags().StringVar(&o.staging, "staging", "", "staging repository prefix to look builds up in (default REGISTRY/brewkit/staging when a registry is known)")
	return cmd
}

func (o *planOptions) run(cmd *cobra.Command, args []string) (err error) {
	ctx, stderr := cmd.Context(), cmd.ErrOrStderr()
	if o.format != "table" && o.format != "json" {
		return fmt.Errorf("--format %q: want table or json", o.format)
	}
	t, err := o.target()
	if err != nil {
		return err
	}
	repos, loadErr := o.loadRepos(ctx, stderr, o.all, args)
	if loadErr != nil && (!o.all || len(repos) == 0) {
		return loadErr // a typo in a name, or no library: nothing is started
	}
	e, err := o.newEngine(t, o.log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	p, err := e.Plan(ctx, repos, o.planOptions())
	if err != nil {
		return err
	}
	reportUnplanned(stderr, p)
	var states map[*scheduler.Job]engine.JobState
	var lookupErr error
	if t.Staging != "" {
		l, err := e.Lookup(ctx, p)
		if err != nil {
			return err
		}
		states, lookupErr = l.States, l.Err
	}
	conflicts := scheduler.TagConflicts(p.Jobs)
	if o.format == "json" {
		err = writePlanJSON(cmd.OutOrStdout(), p, e.Routes(p), states, conflicts)
	} else if err = writePlanTable(cmd.OutOrStdout(), p, e.Routes(p), states); err == nil {
		err = writeErrors(cmd.ErrOrStderr(), planErrors(p)) // in full, each once
	}
	if err != nil {
		return err
	}
	return errors.Join(planVerdict(p, loadErr), conflictsError(conflicts), lookupErr)
}

// target is where plan looks: the workers, if any, and the staging
// registry where builds are looked up, if one is known.
func (o *planOptions) target() (*engine.Target, error) {
	var ws []workers.Worker
	registry := o.farm.registry
	if o.farm.given() {
		var err error
		if ws, registry, err = o.farm.load(); err != nil {
			return nil, err
		}
	}
	t, err := engine.Farm(ws, registry, o.staging)
	if err != nil {
		return nil, err
	}
	t.Emulate = o.allowEmulation
	return t, nil
}

func planVerdict(p *scheduler.Plan, loadErr error) error {
	bad := 0
	for _, j := range p.Jobs {
		if j.Err != nil {
			bad++
		}
	}
	switch {
	case loadErr != nil && bad > 0:
		return fmt.Errorf("%w\n%d of %d jobs cannot be built", loadErr, bad, len(p.Jobs))
	case loadErr != nil:
		return loadErr
	case bad > 0:
		return fmt.Errorf("%d of %d jobs cannot be built", bad, len(p.Jobs))
	}
	return nil
}

func writePlanTable(w io.Writer, p *scheduler.Plan, routes map[*scheduler.Job][]string, states map[*scheduler.Job]engine.JobState) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	head := "JOB\tARCH\tBUILDER\tSOURCE\tSOURCE ID\tPARENTS\tEXTERNAL\tWORKERS\tPROBLEM"
	if states != nil {
		head += "\tBUILD ID\tSTATE"
	}
	fmt.Fprintln(tw, head)
	for _, j := range p.Jobs {
		var parents []string
		for _, e := range j.Parents {
			parents = append(parents, e.Job.Tags[0])
		}
		problem := "-"
		if j.Err != nil {
			problem = firstLine(j.Err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", tagsSummary(j.Tags), j.Arch, j.Builder,
			sourceSummary(j.Source), short(j.SourceID, 12), dash(parents), dash(j.External), dash(routes[j]), problem)
		if states != nil {
			st := states[j]
			if j.Err != nil {
				st.State = "-"
			}
			fmt.Fprintf(tw, "\t%s\t%s", short(st.BuildID, 12), st.State)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// planErrors are the errors of p's jobs, for writeErrors.
func planErrors(p *scheduler.Plan) []jobError {
	var errs []jobError
	for _, j := range p.Jobs {
		if j.Err != nil {
			errs = append(errs, newJobError(j, j.Err))
		}
	}
	return errs
}

func tagsSummary(tags []string) string {
	if len(tags) > 1 {
		return fmt.Sprintf("%s (+%d)", tags[0], len(tags)-1)
	}
	return strings.Join(tags, "")
}

func sourceSummary(s scheduler.Source) string {
	return short(s.GitCommit, 7) + ":" + strings.TrimPrefix(s.Directory+"/"+s.File, "./")
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	if s == "" {
		return "-"
	}
	return s
}

func dash(list []string) string {
	if len(list) == 0 {
		return "-"
	}
	return strings.Join(list, ",")
}

// planJob is a job in `brewkit plan --format json`.
type planJob struct {
	ID         string           `json:"id"`
	Repos      []string         `json:"repos"`
	Tags       []string         `json:"tags"`
	Arch       string           `json:"arch"`
	Platform   string           `json:"platform"`
	Builder    string           `json:"builder"`
	Source     scheduler.Source `json:"source"`
	Entries    []string         `json:"entries"`
	SourceID   string           `json:"sourceId,omitempty"`
	CommitTime *time.Time       `json:"commitTime,omitempty"`
	Froms      []string         `json:"froms,omitempty"`
	Parents    []planEdge       `json:"parents,omitempty"`
	External   []string         `json:"external,omitempty"`
	Workers    []string         `json:"workers,omitempty"`
	Error      string           `json:"error,omitempty"`
	BuildID    string           `json:"buildId,omitempty"`
	State      string           `json:"state,omitempty"` // with a registry: up to date, to build, after its parents, lookup failed
	Image      string           `json:"image,omitempty"` // the staged image, when up to date
	// LookupError says why the lookup failed, naming the image looked up.
	LookupError string `json:"lookupError,omitempty"`
}

type planEdge struct {
	From string `json:"from"`
	Job  string `json:"job"`
}

func writePlanJSON(w io.Writer, p *scheduler.Plan, routes map[*scheduler.Job][]string, states map[*scheduler.Job]engine.JobState, conflicts []scheduler.TagConflict) error {
	jobs := make([]planJob, 0, len(p.Jobs))
	for _, j := range p.Jobs {
		pj := planJob{ID: j.ID, Tags: j.Tags, Arch: j.Arch, Platform: j.Platform, Builder: j.Builder, Source: j.Source,
			SourceID: j.SourceID, Froms: j.Froms, External: j.External, Workers: routes[j]}
		seen := map[string]bool{}
		for _, o := range j.Origins {
			pj.Entries = append(pj.Entries, o.String())
			if !seen[o.Repo] {
				seen[o.Repo] = true
				pj.Repos = append(pj.Repos, o.Repo)
			}
		}
		if !j.CommitTime.IsZero() {
			t := j.CommitTime.UTC()
			pj.CommitTime = &t
		}
		for _, e := range j.Parents {
			pj.Parents = append(pj.Parents, planEdge{From: e.From, Job: e.Job.ID})
		}
		if j.Err != nil {
			pj.Error = j.Err.Error()
		} else if st, ok := states[j]; ok {
			pj.BuildID, pj.State, pj.Image, pj.LookupError = st.BuildID, st.State, st.Image, st.Problem
		}
		jobs = append(jobs, pj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"jobs": jobs, "unplanned": p.Unplanned, "conflicts": jsonConflicts(conflicts)})
}
