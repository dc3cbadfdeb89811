package dockerfile

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// scratch is the name of the empty base image. BuildKit matches it exactly:
// "FROM SCRATCH" is an invalid reference, not the empty image.
const scratch = "scratch"

// Ref is an external image that a build reads.
type Ref struct {
	// Name is the reference as written after ARG expansion, normalised by
	// [Normalize]: "debian:bookworm-slim", "golang:latest",
	// "mcr.microsoft.com/windows/servercore:ltsc2022",
	// "127.0.0.1:5000/ns/img@sha256:…", or "scratch".
	Name string
	// Platform is the --platform flag of the FROM after ARG expansion, such
	// as "linux/amd64"; "" when there is none, which means the target
	// platform. Images read by COPY --from and RUN --mount=from= always
	// have "", as BuildKit fetches them for the target platform.
	Platform string
	// Line is the 1-based line of the first instruction that reads it.
	Line int
}

// Normalize adds ":latest" to an image reference that has neither a tag nor
// a digest, the way bashbrew and the official-images meta-scripts compare
// tags, and otherwise returns ref as it is: no "docker.io/library/" is added
// or removed. "scratch" stays "scratch".
//
// Unlike bashbrew, which looks for any ':', a registry port is not taken for
// a tag: Normalize("localhost:5000/img") is "localhost:5000/img:latest".
// Normalize does not check that ref is valid; it is idempotent.
func Normalize(ref string) string {
	if ref == scratch || strings.Contains(ref, "@") {
		return ref
	}
	if strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		return ref
	}
	return ref + ":latest"
}

// FamiliarName returns the key under which BuildKit looks up a named build
// context for an image that the Dockerfile reads (FROM, COPY --from or
// RUN --mount=from=), so that the frontend attribute
// "context:KEY=docker-image://…@sha256:…" pins that image.
//
// It is BuildKit v0.34.2's rule (dockerui.Client.NamedContext in
// frontend/dockerui/config.go, called by resolveBaseImage in
// frontend/dockerfile/dockerfile2llb/convert.go): parse the reference with
// reference.ParseNormalizedNamed, add the "latest" tag if it has neither a
// tag nor a digest, take reference.FamiliarString, and trim one ":latest"
// suffix. So "foo", "foo:latest" and "docker.io/library/foo:latest" are all
// "foo"; "foo:1.2" stays "foo:1.2"; "foo@sha256:…" keeps its digest; and
// "127.0.0.1:5000/ns/img:latest" is "127.0.0.1:5000/ns/img".
//
// BuildKit first tries the key with the platform appended,
// KEY+"::"+platforms.FormatAll(platforms.Normalize(p)), where p is the
// FROM's --platform or else the target platform, and then KEY alone.
//
// FamiliarName returns "" for "scratch", for which BuildKit looks up no
// named context, and for a reference that does not parse.
func FamiliarName(ref string) string {
	if ref == scratch {
		return ""
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	// resolveBaseImage passes TagNameOnly(named).String() on to
	// NamedContext, which parses it again.
	named, err = reference.ParseNormalizedNamed(reference.TagNameOnly(named).String())
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(reference.FamiliarString(named), ":latest")
}

// imageRef checks name as BuildKit does before it resolves an image and
// returns it normalised.
func imageRef(name string) (string, error) {
	if name == scratch {
		return scratch, nil
	}
	if _, err := reference.ParseNormalizedNamed(name); err != nil {
		return "", fmt.Errorf("invalid image reference %q: %w", name, err)
	}
	return Normalize(name), nil
}
