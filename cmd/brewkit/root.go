package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
)

// globalOptions are bashbrew's global flags, shared by every command.
type globalOptions struct {
	library              string
	arch                 string
	constraints          []string
	exclusiveConstraints bool
	namespace            string
	archNamespaceList    []string
	archNamespaces       map[string]string // parsed from archNamespaceList
	logLevel             string
	debug                bool         // --debug: --log-level debug, and BuildKit's every step in full
	log                  *slog.Logger // to stderr, at logLevel
	stderr               io.Writer    // the command's stderr, safe for concurrent writes
}

// newRootCmd builds the command tree. getenv supplies the environment, so
// that tests need not touch the process's own.
func newRootCmd(getenv func(string) string) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:           "brewkit",
		Short:         "Build the Docker Official Images from their library files",
		Version:       version(debug.ReadBuildInfo()),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := g.validate(); err != nil {
				return err
			}
			g.stderr = safeStderr(cmd)
			return g.openLog(g.stderr)
		},
	}
	root.SetVersionTemplate("brewkit {{.Version}}\n")
	g.register(root, getenv)
	root.AddCommand(newListCmd(g, getenv), newFromCmd(g, getenv), newFetchCmd(g, getenv), newParentsCmd(g, getenv), newChildrenCmd(g, getenv), newRemoteCmd(getenv), newCatCmd(g, getenv),
		newWorkersCmd(g, getenv), newPlanCmd(g, getenv), newBuildCmd(g, getenv), newPushCmd(g, getenv), newServeCmd(g, getenv), newReproduceCmd(g, getenv), newCheckCmd(g, getenv))
	return root
}

func (g *globalOptions) register(root *cobra.Command, getenv func(string) string) {
	env := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	library := env("BREWKIT_LIBRARY", "BASHBREW_LIBRARY")
	if library == "" {
		library = filepath.Join(getenv("HOME"), "docker", "official-images", "library")
	}
	arch := env("BREWKIT_ARCH", "BASHBREW_ARCH")
	if arch == "" {
		arch, _ = platforms.Host() // an unknown host is reported by validate
	}
	f := root.PersistentFlags()
	f.StringVar(&g.library, "library", library, "directory of library files ($BREWKIT_LIBRARY, $BASHBREW_LIBRARY)")
	f.StringVar(&g.arch, "arch", arch, "architecture to act on ($BREWKIT_ARCH, $BASHBREW_ARCH; default: the host's): what list, cat and their filters select; "+
		"given as a flag to build or plan, only its jobs are planned and built (otherwise every architecture the workers build; a local build with --load, the host's)")
	f.StringArrayVar(&g.constraints, "constraint", splitEnvList(env("BREWKIT_CONSTRAINTS", "BASHBREW_CONSTRAINTS")), "a constraint this worker satisfies, such as windowsservercore-ltsc2022 (repeatable; $BASHBREW_CONSTRAINTS)")
	f.BoolVar(&g.exclusiveConstraints, "exclusive-constraints", false, "skip entries that have no Constraints")
	f.StringVar(&g.namespace, "namespace", env("BREWKIT_NAMESPACE", "BASHBREW_NAMESPACE"), "namespace prefixed to repository names ($BASHBREW_NAMESPACE)")
	f.StringVar(&g.logLevel, "log-level", "warn", "what goes to the log on stderr: debug (each git fetch), info, warn or error")
	f.BoolVar(&g.debug, "debug", false, "verbose: --log-level debug, and build shows every BuildKit step with its output (--progress plain) unless --progress is given")
	f.StringArrayVar(&g.archNamespaceList, "arch-namespace", splitEnvList(env("BREWKIT_ARCH_NAMESPACES", "BASHBREW_ARCH_NAMESPACES")), "ARCH=NAMESPACE where per-architecture images live, such as arm64v8=arm64v8 (repeatable; $BASHBREW_ARCH_NAMESPACES)")
}

// splitEnvList splits a comma-separated environment value.
func splitEnvList(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

func (g *globalOptions) validate() error {
	if !platforms.IsKnown(g.arch) {
		return fmt.Errorf("--arch %q: unknown architecture; want one of %s", g.arch, strings.Join(platforms.Names(), ", "))
	}
	g.archNamespaces = make(map[string]string, len(g.archNamespaceList))
	for _, item := range g.archNamespaceList {
		arch, ns, ok := strings.Cut(item, "=")
		arch, ns = strings.TrimSpace(arch), strings.TrimSpace(ns)
		if !ok || arch == "" || ns == "" {
			return fmt.Errorf("--arch-namespace %q: want ARCH=NAMESPACE, such as arm64v8=arm64v8", item)
		}
		if !platforms.IsKnown(arch) {
			return fmt.Errorf("--arch-namespace %q: unknown architecture %q; want one of %s", item, arch, strings.Join(platforms.Names(), ", "))
		}
		g.archNamespaces[arch] = ns
	}
	return nil
}

// openLog makes the logger the engine is given: text on stderr, at
// --log-level (debug with --debug).
func (g *globalOptions) openLog(stderr io.Writer) error {
	var level slog.Level
	if g.debug {
		g.logLevel = "debug"
	}
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	g.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

func (g *globalOptions) filter() manifest.Filter {
	return manifest.Filter{Arch: g.arch, Constraints: g.constraints, Exclusive: g.exclusiveConstraints}
}
