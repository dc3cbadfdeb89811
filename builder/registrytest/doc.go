// Package registrytest fills registries with small images for tests, of
// the bashbrew architectures asked for: the external base images that
// official-images pins in .external-pins, for tests of brewkit remote
// arches and brewkit check, and for recording what the real bashbrew says
// of them (hack/conformance/pinregistry). Import it from tests and test
// tools only.
//
//	host := registrytest.Serve(t) // an in-process registry: "127.0.0.1:PORT"
//	d, err := registrytest.Push(ctx, host+"/fixture/multi:1", []string{"amd64", "arm64v8"})
//	// d: the digest of an index of an amd64 and an arm64/v8 image (and an
//	// unknown/unknown member, as BuildKit's attestations); one arch pushes
//	// a single image whose config alone gives its platform
//
// # Pins
//
// A pins file lists Docker Hub images and their architectures, one a line:
//
//	# NAME:TAG ARCH...
//	brewkit-fixture/multi:1 amd64 arm64v8
//
// [PushPinned] pushes each to a registry at its Docker Hub path (so that
// the registry can stand in for Docker Hub as DOCKERHUB_PUBLIC_PROXY) and
// writes its digest where official-images' .external-pins keeps it:
//
//	images, err := registrytest.ReadPinned("testdata/naughty/external-pins.txt")
//	err = registrytest.PushPinned(ctx, host, images, filepath.Join(oi, ".external-pins"))
//	// oi/.external-pins/brewkit-fixture/multi___1 holds "sha256:…\n"
//
// Images are made from a seed (their reference and architecture), so that
// the same file pushes the same digests every time.
package registrytest
