package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"text/template"

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
	*globalOptions
	getenv     func(string) string
	all        bool
	format     string
	formatFile string
}

func newCatCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &catOptions{globalOptions: g, getenv: getenv}
	cmd := &cobra.Command{
		Use:   "cat [repo[:tag]...]",
		Short: "Print manifests, canonically or through a Go template, as bashbrew cat does",
		Long: `Print manifests, canonically or through a Go template, as bashbrew cat does.

The template's data is the repo: .RepoName, .TagName, .Manifest (.Global,
.Entries), .TagEntry, .TagEntries, .Entries, and methods such as
.Tags NAMESPACE UNIQ ENTRY and .SkipConstraints ENTRY. Entries have the
fields of the library format and methods such as .ArchGitCommit ARCH and
.HasArchitecture ARCH. Functions: join first last json ternary hasPrefix
hasSuffix trimPrefixes trimSuffixes replace getenv sha256sum i arch
ociPlatform namespace archNamespace archFilter defaults.`,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVar(&o.all, "all", false, "print every manifest of the library")
	f.StringVarP(&o.format, "format", "f", defaultCatFormat, "Go template to print each repo with")
	f.StringVarP(&o.formatFile, "format-file", "F", "", "file holding the Go template (instead of --format)")
	return cmd
}

func (o *catOptions) run(cmd *cobra.Command, args []string) error {
	names, err := o.repoArgs(o.all, args)
	if err != nil {
		return err
	}
	var index int
	tmpl, err := o.parseTemplate(func() int { return index })
	if err != nil {
		return err
	}
	out := bufio.NewWriter(cmd.OutOrStdout())
	defer out.Flush()
	skips := newSkipper(o.filter(), cmd.ErrOrStderr())
	var buf bytes.Buffer
	return o.eachRepo(cmd.Context(), cmd.ErrOrStderr(), names, func(i int, r *manifest.Repo) error {
		index = i
		buf.Reset()
		if err := tmpl.Execute(&buf, templateRepo{Repo: r, skips: skips}); err != nil {
			return fmt.Errorf("executing the template for %q: %w", names[i], err)
		}
		if !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
			buf.WriteByte('\n')
		}
		_, err := out.Write(buf.Bytes())
		return err
	})
}

func (o *catOptions) parseTemplate(index func() int) (*template.Template, error) {
	name, text := "--format", o.format
	if o.formatFile != "" {
		b, err := os.ReadFile(o.formatFile)
		if err != nil {
			return nil, fmt.Errorf("--format-file: %w", err)
		}
		name, text = o.formatFile, string(b)
	}
	tmpl, err := template.New(name).Funcs(o.funcs(index)).Parse(text)
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
}

// SkipConstraints reports whether --arch and --constraint skip entry.
func (r templateRepo) SkipConstraints(entry *manifest.Entry) bool {
	return r.skips.skip(r.Repo, entry)
}
