package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	bcheck "github.com/brewkit/brewkit/builder/check"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/manifest/check"
)

// exitCheckBroken is brewkit check's exit status when it could not check
// at all (bad usage, a library file that does not load); 1 to 5 are the
// number of rules that failed, as naughty.sh's.
const exitCheckBroken = 64

type checkOptions struct {
	*globalOptions
	all     bool
	against string
	rules   []string
	format  string
	pins    string
	cache   string
	strict  bool
	getenv  func(string) string
}

func newCheckCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &checkOptions{globalOptions: g, getenv: getenv}
	cmd := &cobra.Command{
		Use:   "check [--against REF | --all | repo[:tag]...]",
		Short: "Run official-images' pull-request checks (naughty.sh) natively",
		Long: `Run the checks of official-images' naughty.sh on library files: "latest" tags
(latest-tag), SharedTags (shared-tags), FROMs against Architectures (from),
FROMs against Constraints (constraints), and GitCommit against GitFetch and
modified big binaries (commits).

The repos are those named, or every one with --all, or the library files that
the commits of REF...HEAD add or change with --against REF (naughty.sh's scope),
REF being a commit or ref of the git checkout holding --library. External
images are looked up in .external-pins beside --library (--pins), and their
pinned digests in their registries, with the Docker config's credentials; a
Docker Hub image in $DOCKERHUB_PUBLIC_PROXY first when it is set, as bashbrew
remote arches does.

Each finding is printed as FILE:LINE: REPO:TAG [ARCH]: MESSAGE (RULE). A check
that needs the network and cannot reach it is skipped with a warning (it fails
the run with --strict). The exit status is the number of rules that found
something (0 to 5), as naughty.sh's; 64 when nothing could be checked.`,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "check every manifest of the library")
	f.StringVar(&o.against, "against", "", "check the library files changed between REF and HEAD (git diff REF...HEAD) in --library's checkout")
	f.StringArrayVar(&o.rules, "rule", nil, "run only this rule (repeatable): "+joinRules())
	f.StringVar(&o.format, "format", "text", "output: text or json")
	f.StringVar(&o.pins, "pins", "", "official-images' .external-pins directory (default: .external-pins beside --library)")
	f.StringVar(&o.cache, "cache", defaultCache(getenv), "cache directory: git sources go in its git/ ($BREWKIT_CACHE)")
	f.BoolVar(&o.strict, "strict", false, "count a rule with skipped checks (network unreachable) as failed")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{exitCheckBroken, err} })
	return cmd
}

func joinRules() string {
	names := make([]string, len(check.Rules))
	for i, r := range check.Rules {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// checkOutput is --format json.
type checkOutput struct {
	Repos    []string        `json:"repos"`
	Failed   []check.Rule    `json:"failed"`
	Findings []check.Finding `json:"findings"`
	Skipped  []check.Skip    `json:"skipped"`
}

func (o *checkOptions) run(cmd *cobra.Command, args []string) error {
	broken := func(err error) error { return &exitError{exitCheckBroken, err} }
	if o.format != "text" && o.format != "json" {
		return broken(fmt.Errorf("--format %q: want text or json", o.format))
	}
	var rules []check.Rule
	for _, s := range o.rules {
		r, err := check.ParseRule(s)
		if err != nil {
			return broken(fmt.Errorf("--rule: %w", err))
		}
		rules = append(rules, r)
	}
	if o.against != "" && (o.all || len(args) > 0) {
		return broken(errors.New("--against picks the repos itself: give no repos and no --all with it"))
	}
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	if o.against != "" {
		changed, err := bcheck.ChangedRepos(ctx, o.library, o.against)
		if err != nil {
			return broken(err)
		}
		if len(changed) == 0 {
			fmt.Fprintln(stderr, "No library/ changes detected, skipping.")
			return o.print(cmd.OutOrStdout(), stderr, nil, &check.Report{Findings: []check.Finding{}, Skipped: []check.Skip{}})
		}
		args = changed
	} else if !o.all && len(args) == 0 {
		return broken(errors.New("need repos to check: name them (repo, repo:tag or a path), or --all, or --against REF for those changed since REF"))
	}
	repos, err := o.loadRepos(ctx, stderr, o.all, args)
	if err != nil {
		return broken(err)
	}
	cache, err := gitsource.Open(filepath.Join(o.cache, "git"), gitsource.WithLogger(o.log))
	if err != nil {
		return broken(fmt.Errorf("--cache: %w", err))
	}
	pins := o.pins
	if pins == "" {
		pins = filepath.Join(filepath.Dir(filepath.Clean(o.library)), ".external-pins")
	}
	arches, err := newRemoteArches(o.getenv)
	if err != nil {
		return broken(err)
	}
	c, err := bcheck.New(cache, &manifest.Loader{Library: o.library}, bcheck.WithPins(pins), bcheck.WithLogger(o.log), bcheck.WithRemoteArches(arches))
	if err != nil {
		return broken(err)
	}
	rep, err := c.Run(ctx, repos, rules)
	if err != nil {
		return broken(err)
	}
	names := make([]string, len(repos))
	for i, r := range repos {
		names[i] = r.Identifier()
	}
	return o.print(cmd.OutOrStdout(), stderr, names, rep)
}

// print writes the report and returns the exit status as an error.
func (o *checkOptions) print(stdout, stderr io.Writer, repos []string, rep *check.Report) error {
	failed := rep.Failed()
	if o.strict {
		for _, r := range rep.SkippedRules() {
			if !slices.Contains(failed, r) {
				failed = append(failed, r)
			}
		}
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(stderr, "warning: %s\n", s)
	}
	if o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if repos == nil {
			repos = []string{}
		}
		if failed == nil {
			failed = []check.Rule{}
		}
		if err := enc.Encode(checkOutput{Repos: repos, Failed: failed, Findings: rep.Findings, Skipped: rep.Skipped}); err != nil {
			return err
		}
	} else {
		for _, f := range rep.Findings {
			fmt.Fprintln(stdout, f)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	names := make([]string, len(failed))
	for i, r := range failed {
		names[i] = string(r)
	}
	return &exitError{len(failed), fmt.Errorf("%d of %d rules failed: %s", len(failed), len(check.Rules), strings.Join(names, ", "))}
}
