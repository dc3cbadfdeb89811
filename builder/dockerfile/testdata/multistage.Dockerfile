# syntax=docker/dockerfile:1.7
# A realistic multi-stage build in the style of an official image:
# cross-compiled Go binaries, a C library built from source, and a slim
# runtime stage.

ARG GO_VERSION=1.22
ARG DEBIAN_SUITE=bookworm
ARG ALPINE_VERSION=3.20

FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.4.0 AS xx

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-${DEBIAN_SUITE} AS gobuild
COPY --from=xx / /
ARG TARGETPLATFORM
RUN xx-apt-get install -y gcc libc6-dev
WORKDIR /src
ENV CGO_ENABLED=0 \
    GOFLAGS=-trimpath
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod \
    xx-go build -o /out/server ./cmd/server && \
    xx-verify /out/server

FROM gobuild AS gotest
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache/go-build \
    go test ./...

FROM debian:${DEBIAN_SUITE}-slim AS libbuild
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        ca-certificates gcc make libc6-dev wget; \
    rm -rf /var/lib/apt/lists/*
ARG LIB_VERSION=2.4.1
RUN <<EOF
set -eux
wget -O lib.tar.gz "https://example.com/lib-${LIB_VERSION}.tar.gz"
tar -xzf lib.tar.gz --strip-components=1
./configure --prefix=/usr/local && make -j"$(nproc)" && make install
EOF

FROM alpine:${ALPINE_VERSION} AS certs
RUN apk add --no-cache ca-certificates tzdata

FROM debian:${DEBIAN_SUITE}-slim
LABEL org.opencontainers.image.source="https://github.com/example/server"
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=certs /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=libbuild /usr/local/lib/ /usr/local/lib/
COPY --from=gobuild /out/server /usr/local/bin/server
COPY --from=tianon/gosu:1.17 /usr/local/bin/gosu /usr/local/bin/gosu
RUN --mount=from=busybox:1.36,source=/bin/busybox,target=/bb \
    /bb --install -s /usr/local/bin && ldconfig
USER 1000:1000
EXPOSE 8080
HEALTHCHECK CMD ["server", "healthcheck"]
ENTRYPOINT ["server"]
CMD ["--listen", ":8080"]
