package reproduce

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes r for a reader: per platform its verdict, its inputs
// and where each came from, and what differs.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s\n", r.Reference)
	for _, p := range r.Platforms {
		fmt.Fprintf(w, "\n%s: %s\n", p.Platform, p.Verdict)
		fmt.Fprintf(w, "  published %s\n", p.Published)
		if p.Rebuilt != "" {
			fmt.Fprintf(w, "  rebuilt   %s\n", p.Rebuilt)
		}
		if p.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", p.Error)
		}
		if p.BuildIDMatches != nil && !*p.BuildIDMatches {
			fmt.Fprintf(w, "  the rebuild's build id %s is not the recorded %s: its inputs are not what was recorded\n", p.BuildID, p.Inputs.BuildID)
		}
		if p.Inputs != nil {
			p.Inputs.writeText(w)
		}
		p.writeDiff(w)
	}
}

func (in *Inputs) writeText(w io.Writer) {
	fmt.Fprintln(w, "  inputs:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range in.Origins {
		fmt.Fprintf(tw, "    %s\t%s\tfrom %s\n", o.Name, o.Value, o.From)
	}
	tw.Flush()
}

func (p *PlatformReport) writeDiff(w io.Writer) {
	if len(p.Normalizations) > 0 {
		var names []string
		for _, n := range p.Normalizations {
			names = append(names, string(n))
		}
		fmt.Fprintf(w, "  normalized: %s\n", strings.Join(names, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if len(p.Config) > 0 {
		fmt.Fprintln(tw, "  config:\tpublished\trebuilt")
		for _, c := range p.Config {
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", c.Field, c.Published, c.Rebuilt)
		}
	}
	if len(p.Layers) > 0 {
		l := p.Layers[0]
		fmt.Fprintf(tw, "  first layer that differs: #%d\t%s\t%s\n", l.Index, l.Published, l.Rebuilt)
		fmt.Fprintf(tw, "    made by\t%s\n", l.CreatedBy)
		if len(p.Layers) > 1 {
			fmt.Fprintf(tw, "    and %d more\n", len(p.Layers)-1)
		}
	}
	if len(p.Files) > 0 {
		fmt.Fprintln(tw, "  files:\tchange\tpublished sha256 (size)\trebuilt sha256 (size)")
		for _, f := range p.Files {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", f.Path, f.Change, side(f.PublishedSHA256, f.PublishedSize), side(f.RebuiltSHA256, f.RebuiltSize))
		}
	}
}

// side is a file's sha256 (shortened) and size, or "-".
func side(sum string, size int64) string {
	if sum == "" {
		return "-"
	}
	return fmt.Sprintf("%.12s (%d)", sum, size)
}

// Summary is one line: how many platforms got each verdict.
func (r *Report) Summary() string {
	count := map[string]int{}
	var order []string
	for _, p := range r.Platforms {
		if count[p.Verdict] == 0 {
			order = append(order, p.Verdict)
		}
		count[p.Verdict]++
	}
	var parts []string
	for _, v := range order {
		parts = append(parts, fmt.Sprintf("%d %s", count[v], v))
	}
	return r.Reference + ": " + strings.Join(parts, ", ")
}
