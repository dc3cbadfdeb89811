package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
)

// defaultCatFormat prints the canonical manifest, or the entries of a tag.
const defaultCatFormat = `
{{- if i -}}
	{{- "\n\n" -}}
{{- end -}}
{{- with .TagEntries -}}
	{{- range $i, $e := . -}}
		{{- if $i -}}{{- "\n\n" -}}{{- end -}}
		{{- $e -}}
	{{- end -}}
{{- else -}}
	{{- .Manifest -}}
{{- end -}}
`

type catOptions struct {
	sourceOptions
	getenv     func(string) string
	all        bool
	format     string
	formatFile string
	buildOrder bool
}

func newCatCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &catOptions{sourceOptions: sourceOptions{globalOptions: g}, getenv: getenv}
	cmd := &cobra.Command{
		Use:   "cat [repo[:tag]...]",
		Short: "Print manifests, canonically or through a Go template, as bashbrew cat does",
		Long: `Print manifests, canonically or through a Go template, as bashbrew cat does.

The template's data is the repo: .RepoName, .TagName, .Manifest (.Global,
.Entries), .TagEntry, .TagEntries, .Entries, and methods such as
.Tags NAMESPACE UNIQ ENTRY and .SkipConstraints ENTRY; those that read the
entry's source from the git cache (fetching it if needed) are
.DockerFroms ENTRY, .ArchDockerFroms ARCH ENTRY, .ArchLastStageFrom ARCH
ENTRY, .ArchGitChecksum ARCH ENTRY and .ArchGitTime ARCH ENTRY. Entries
have the fields of the library format and methods such as .ArchGitCommit
ARCH and .HasArchitecture ARCH. Functions: join first last json ternary
hasPrefix hasSuffix trimPrefixes trimSuffixes replace getenv sha256sum i
arch ociPlatform namespace archNamespace archFilter defaults gitCache
(a git repository that sees every commit of the cache).`,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "print every manifest of the library")
	f.StringVarP(&o.format, "format", "f", defaultCatFormat, "Go template to print each repo with")
	f.StringVarP(&o.formatFile, "format-file", "F", "", "file holding the Go template (instead of --format)")
	f.BoolVar(&o.buildOrder, "build-order", false, "print the repos in the order they would build (reads every source)")
	o.register(cmd, getenv)
	return cmd
}

func (o *catOptions) run(cmd *cobra.Command, args []string) error {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return err
	}
	var index int
	ctx := cmd.Context()
	tmpl, err := o.parseTemplate(ctx, func() int { return index })
	if err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	var buf bytes.Buffer
	each := o.eachRepo
	if o.buildOrder {
		// as bashbrew: the repos are sorted, not their entries, and the
		// constraints are not applied
		each = o.eachRepoSorted(o.orderOptions(ctx, skips, false))
	}
	return each(ctx, cmd.ErrOrStderr(), names, func(i int, r *manifest.Repo) error {
		index = i
		buf.Reset()
		if err := tmpl.Execute(&buf, templateRepo{Repo: r, skips: skips, o: o, ctx: ctx}); err != nil {
			return fmt.Errorf("executing the template for %q: %w", names[i], err)
		}
		if !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
			buf.WriteByte('\n')
		}
		_, err := out.Write(buf.Bytes())
		return err
	})
}

func (o *catOptions) parseTemplate(ctx context.Context, index func() int) (*template.Template, error) {
	name, text := "--format", o.format
	if o.formatFile != "" {
		b, err := os.ReadFile(o.formatFile)
		if err != nil {
			return nil, fmt.Errorf("--format-file: %w", err)
		}
		name, text = o.formatFile, string(b)
	}
	tmpl, err := template.New(name).Funcs(o.funcs(ctx, index)).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", strings.TrimPrefix(name, "--"), err)
	}
	return tmpl, nil
}

// templateRepo is the data of a cat template: the repo, plus the methods
// that depend on the command line.
type templateRepo struct {
	*manifest.Repo
	skips *skipper
	o     *catOptions
	ctx   context.Context
}

// SkipConstraints reports whether --arch and --constraint skip entry.
func (r templateRepo) SkipConstraints(entry *manifest.Entry) bool {
	return r.skips.skip(r.Repo, entry)
}

// DockerFroms is .ArchDockerFroms for --arch.
func (r templateRepo) DockerFroms(entry *manifest.Entry) ([]string, error) {
	return r.ArchDockerFroms(r.o.arch, entry)
}

// ArchDockerFroms returns the images entry is built FROM on arch.
func (r templateRepo) ArchDockerFroms(arch string, entry *manifest.Entry) ([]string, error) {
	return r.o.froms(r.ctx, r.Repo, entry, arch)
}

// ArchLastStageFrom returns the base of entry's last stage on arch.
func (r templateRepo) ArchLastStageFrom(arch string, entry *manifest.Entry) (string, error) {
	s, err := r.o.sources()
	if err != nil {
		return "", err
	}
	return s.LastStageFrom(r.ctx, entry, arch)
}

// ArchGitChecksum returns the checksum of entry's build context on arch
// (bashbrew context --sha256).
func (r templateRepo) ArchGitChecksum(arch string, entry *manifest.Entry) (string, error) {
	s, err := r.o.sources()
	if err != nil {
		return "", err
	}
	return s.Checksum(r.ctx, entry, arch)
}

// ArchGitTime returns the time of entry's commit on arch.
func (r templateRepo) ArchGitTime(arch string, entry *manifest.Entry) (time.Time, error) {
	s, err := r.o.sources()
	if err != nil {
		return time.Time{}, err
	}
	return s.Time(r.ctx, entry, arch)
}

// gitCache is the template function: a repository that sees every commit
// of the git cache (see gitsource.Cache.Union).
func (o *catOptions) gitCache(ctx context.Context) (string, error) {
	s, err := o.sources()
	if err != nil {
		return "", err
	}
	return s.Cache().Union(ctx)
}
