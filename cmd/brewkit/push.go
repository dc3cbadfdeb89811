package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

type pushOptions struct {
	*globalOptions
	publishing
	metadataFile string
}

// publishing is what push and build --push share.
type publishing struct {
	to           string
	dryRun       bool
	partial      bool
	allowBlocked bool
	jobs         int
}

func (o *publishing) options() engine.PublishOptions {
	return engine.PublishOptions{To: o.to, Partial: o.partial, DryRun: o.dryRun, AllowBlocked: o.allowBlocked, Jobs: o.jobs}
}

// publish writes the indexes of report's tags with e and prints what it
// did.
func (o *publishing) publish(ctx context.Context, out io.Writer, e *engine.Engine, report *scheduler.Report, archNamespaces map[string]string) error {
	opts := o.options()
	opts.ArchNamespaces = archNamespaces
	summary, err := e.Publish(ctx, report, opts)
	if summary != nil {
		if werr := summary.Write(out); werr != nil {
			return errors.Join(err, werr)
		}
	}
	return err
}

func newPushCmd(g *globalOptions, getenv func(string) string) *cobra.Command {
	o := &pushOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "push --to REGISTRY/NAMESPACE --metadata-file FILE",
		Short: "Publish the indexes of every tag and shared tag of a build",
		Long: `Publish the indexes of every tag and shared tag of a build.

It reads the build record (--metadata-file, see docs/BUILD-RECORD.md) of
a brewkit build and, without building, writes for each tag of each
entry, and each shared tag, an index of the staged images at
REGISTRY/NAMESPACE/REPO:TAG: ordered as the production pipeline orders
them, attestations kept next to their image. Every manifest an index
references is copied into REPO first (blobs mounted across repositories
on the same registry), and an index already there is not written again.

A tag whose image for some arch failed, was skipped or cancelled is not
touched (blocked) unless --partial. --arch-namespace ARCH=NS also writes
each tag for ARCH alone at REGISTRY/NS/REPO:TAG. Credentials come from the
Docker config file and its credential helpers.`,
		Example: `  brewkit build --workers .farm/workers.yaml --all --metadata-file build.json
  brewkit push --to 127.0.0.1:5000/library --metadata-file build.json --dry-run
  brewkit push --to 127.0.0.1:5000/library --metadata-file build.json --arch-namespace arm64v8=arm64v8`,
		Args: cobra.NoArgs,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", getenv("BREWKIT_PUSH_TO"), `where the indexes go: "REGISTRY/NAMESPACE" ($BREWKIT_PUSH_TO)`)
	f.StringVar(&o.metadataFile, "metadata-file", "", "the build record (brewkit build --metadata-file) of the build to publish")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be written, with the digests, and write nothing")
	f.BoolVar(&o.partial, "partial", false, "publish tags without their arches that did not build, instead of leaving them as they are")
	f.IntVar(&o.jobs, "jobs", 8, "how many indexes to publish at once")
	return cmd
}

func (o *pushOptions) run(cmd *cobra.Command, _ []string) error {
	if o.to == "" || o.metadataFile == "" {
		return errors.New("push needs --to REGISTRY/NAMESPACE and --metadata-file FILE (from brewkit build --metadata-file)")
	}
	opts := o.options()
	opts.ArchNamespaces = o.archNamespaces
	if err := opts.Check(); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	rec, err := record.ReadFile(o.metadataFile)
	if err != nil {
		return fmt.Errorf("--metadata-file: %w", err)
	}
	report, err := rec.Report()
	if err != nil {
		return fmt.Errorf("--metadata-file %s: %w", o.metadataFile, err)
	}
	e, err := engine.New(engine.Options{Logger: o.log})
	if err != nil {
		return err
	}
	return o.publish(cmd.Context(), cmd.OutOrStdout(), e, report, o.archNamespaces)
}
