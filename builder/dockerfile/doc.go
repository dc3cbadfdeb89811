// Package dockerfile reads what a Dockerfile is built from, with BuildKit's
// own parser and BuildKit's rules, so that brewkit can order builds and pin
// parent images without running a build.
//
// Read the parents of a Dockerfile for one platform:
//
//	info, err := dockerfile.Parse(data, dockerfile.Options{
//		BuildArgs:      map[string]string{"VERSION": "1.22"},
//		BuildPlatform:  ocispec.Platform{OS: "linux", Architecture: "amd64"},
//		TargetPlatform: ocispec.Platform{OS: "linux", Architecture: "arm64"},
//	})
//	var perr *dockerfile.Error
//	if errors.As(err, &perr) { ... perr.Line ... }
//	for _, ref := range info.Froms {
//		// ref.Name is "golang:1.22", "debian:bookworm-slim", "scratch", ...
//		// ref.Platform is the FROM's --platform, such as "linux/amd64", or "".
//	}
//
// Pin a parent to a digest for BuildKit with the key it looks named
// contexts up by:
//
//	attrs["context:"+dockerfile.FamiliarName(ref.Name)] = "docker-image://127.0.0.1:5000/library/golang@sha256:…"
//
// # What counts
//
// [Info.Froms] lists the external images that building the target stage
// reads: FROM bases, COPY --from=<image>, RUN --mount=from=<image>, and the
// COPY and RUN --mount of ONBUILD instructions that a stage of the same
// Dockerfile fires in a stage built FROM it. Names of stages are resolved
// away. Stages the target does not depend on are skipped, as BuildKit
// skips them. "scratch" is listed, as bashbrew lists it, but it is not an
// image to pull.
//
// This fixes the known mistakes of bashbrew's line scanner: "--platform"
// is a flag, not an image; a later "COPY --from=build" names a stage, not
// the image "build:latest"; ARGs are expanded; "# escape=" is honoured; and
// "localhost:5000/img" gets ":latest" although it contains a ':'.
//
// # BuildKit's rules
//
// Parse follows BuildKit v0.34.2's dockerfile2llb, and where it is stricter
// or differs from what one might expect, it says so:
//
//   - A FROM sees only the ARGs declared before the first FROM, with the
//     build arg if one is given and the default otherwise, plus the
//     automatic platform ARGs ($BUILDPLATFORM, $TARGETARCH, ...) and
//     $TARGETSTAGE. A variable used bare ($X or ${X}) that has no value is
//     an error, where BuildKit would substitute "" and fail later or pull
//     the wrong image; ${X:-default} and the other modifiers are fine.
//   - Stage names are lower-cased where they are declared. COPY --from,
//     RUN --mount=from= and [Options.Target] match them without regard to
//     case, but FROM compares the name exactly, so "FROM Build" is the
//     invalid image reference "Build", not the stage "build". Likewise only
//     "scratch" is the empty image: "FROM SCRATCH" is an error.
//   - FROM can name only an earlier stage; a later stage's name is an image.
//     COPY --from and RUN --mount=from= may name any stage, but in a stage
//     the target needs, a later stage is an error, and a stage that reads
//     itself, directly or through others, is an error anywhere.
//   - COPY --from=N with a number N is the N-th stage (from 0), but
//     RUN --mount=from=0 is the image "0:latest".
//   - Neither COPY --from nor RUN --mount=from= expands variables; both are
//     errors if they try.
//   - Every image reference must parse as BuildKit parses it
//     (reference.ParseNormalizedNamed), in every stage.
//
// # Errors
//
// Every error names the line of the instruction at fault; it is an
// [*Error], which wraps BuildKit's error where there is one. The one
// exception is an [Options.Target] that names no stage.
package dockerfile
