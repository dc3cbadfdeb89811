package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder/remotearches"
)

// dockerHubProxyEnv is bashbrew's variable: a registry to ask first for
// Docker Hub images.
const dockerHubProxyEnv = "DOCKERHUB_PUBLIC_PROXY"

// newRemoteArches returns what looks brewkit's images up by architecture,
// as bashbrew's: with the Docker config's credentials, and
// $DOCKERHUB_PUBLIC_PROXY for Docker Hub images.
func newRemoteArches(getenv func(string) string) (*remotearches.Resolver, error) {
	r, err := remotearches.New(
		remotearches.WithRemote(remote.WithAuthFromKeychain(authn.DefaultKeychain)),
		remotearches.WithDockerHubProxy(getenv(dockerHubProxyEnv)))
	if err != nil {
		return nil, fmt.Errorf("$%s: %w", dockerHubProxyEnv, err)
	}
	return r, nil
}

func newRemoteCmd(getenv func(string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remote",
		Short: "Query registries, as bashbrew remote does",
	}
	var asJSON bool
	arches := &cobra.Command{
		Use:   "arches [--json] IMAGE...",
		Short: "Print the manifests of each image by bashbrew architecture, as bashbrew remote arches does",
		Long: `Print "REF -> DIGEST", then "  ARCH -> DIGEST" for each manifest of the image
by bashbrew architecture, sorted; with --json, one object a line:
{"ref":…,"desc":{…},"arches":{"ARCH":[descriptors]}}. Credentials come from
the Docker config ($DOCKER_CONFIG/config.json, credential helpers
included). Docker Hub images are looked up in $DOCKERHUB_PUBLIC_PROXY first
when it is set (an http or https URL, asked without credentials), then in
Docker Hub, as bashbrew does; the reference printed stays the docker.io one.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := bufio.NewWriter(cmd.OutOrStdout())
			defer out.Flush()
			r, err := newRemoteArches(getenv)
			if err != nil {
				return err
			}
			for _, arg := range args {
				img, err := r.Resolve(cmd.Context(), arg)
				if err != nil {
					return err
				}
				if err := writeArches(out, img, asJSON); err != nil {
					return err
				}
			}
			return nil
		},
	}
	arches.Flags().BoolVar(&asJSON, "json", false, "output machine-readable JSON instead of human-readable text")
	cmd.AddCommand(arches)
	return cmd
}

func writeArches(out *bufio.Writer, img *remotearches.Image, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(img)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	fmt.Fprintf(out, "%s -> %s\n", img.Ref, img.Desc.Digest)
	keys := make([]string, 0, len(img.Arches))
	for k := range img.Arches {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, arch := range keys {
		for _, d := range img.Arches[arch] {
			if _, err := fmt.Fprintf(out, "  %s -> %s\n", arch, d.Digest); err != nil {
				return err
			}
		}
	}
	return nil
}
