package dockerfile_test

import (
	"errors"
	"fmt"

	"github.com/brewkit/brewkit/builder/dockerfile"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func Example() {
	df := []byte(`# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .

FROM debian:bookworm-slim
COPY --from=build /out/app /usr/local/bin/app
COPY --from=tianon/gosu /gosu /usr/local/bin/
`)
	info, err := dockerfile.Parse(df, dockerfile.Options{
		BuildArgs:      map[string]string{"GO_VERSION": "1.23"},
		BuildPlatform:  ocispec.Platform{OS: "linux", Architecture: "amd64"},
		TargetPlatform: ocispec.Platform{OS: "linux", Architecture: "arm64"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("syntax:", info.Syntax)
	for _, ref := range info.Froms {
		fmt.Printf("line %d: %s %q, context:%s\n", ref.Line, ref.Name, ref.Platform, dockerfile.FamiliarName(ref.Name))
	}
	fmt.Println("base:", info.LastStageFrom)

	_, err = dockerfile.Parse([]byte("FROM alpine\nFROM ${BASE}\n"), dockerfile.Options{})
	var perr *dockerfile.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Line, err)
	}
	// Output:
	// syntax: docker/dockerfile:1
	// line 3: golang:1.23 "linux/amd64", context:golang:1.23
	// line 6: debian:bookworm-slim "", context:debian:bookworm-slim
	// line 8: tianon/gosu:latest "", context:tianon/gosu
	// base: debian:bookworm-slim
	// 2 line 2: FROM ${BASE}: ARG BASE has no value; declare it with a default or pass it as a build arg
}

func ExampleNormalize() {
	fmt.Println(dockerfile.Normalize("debian"))
	fmt.Println(dockerfile.Normalize("localhost:5000/img"))
	fmt.Println(dockerfile.Normalize("debian:bookworm-slim"))
	fmt.Println(dockerfile.Normalize("scratch"))
	// Output:
	// debian:latest
	// localhost:5000/img:latest
	// debian:bookworm-slim
	// scratch
}

func ExampleFamiliarName() {
	fmt.Println(dockerfile.FamiliarName("foo:latest"))
	fmt.Println(dockerfile.FamiliarName("docker.io/library/foo:1.2"))
	fmt.Println(dockerfile.FamiliarName("127.0.0.1:5000/ns/img:latest"))
	// Output:
	// foo
	// foo:1.2
	// 127.0.0.1:5000/ns/img
}
