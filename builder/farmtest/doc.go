// Package farmtest connects end-to-end tests to the lab farm that
// `hack/farm up` starts: one buildkitd per architecture and a registry, all on
// loopback. Import it from tests only.
//
// A test that needs the farm starts with Require, which skips unless
// BREWKIT_E2E=1 and fails, rather than skips, when the farm is not up:
//
//	func TestE2EBuild(t *testing.T) {
//		farm := farmtest.Require(t)
//		w := farm.Worker("arm64v8") // a workers.Worker for package builder
//		git := farmtest.GitDaemon(t)
//		url, commit := git.NewRepo(t, "hello", map[string]string{
//			"Dockerfile": "FROM scratch\nCOPY busybox /bin/busybox\n",
//			"busybox":    string(farmtest.Busybox(t, "arm64v8")),
//		})
//		// build url+"#"+commit on w, push to farm.Registry ...
//	}
//
// Run them with
//
//	hack/farm up && BREWKIT_E2E=1 go test ./... -run E2E
//
// The farm's workers file comes from $BREWKIT_FARM_WORKERS, else from
// .farm/workers.yaml at the top of the checkout (the directory holding
// go.mod).
//
// StartContainerd and StartDockerd start image stores of the test's own
// (Debian's containerd and docker.io), for --load:
//
//	ctd := farmtest.StartContainerd(t)          // ctd.Address for $CONTAINERD_ADDRESS
//	engine := farmtest.StartDockerd(t, ctd)     // engine.Host for $DOCKER_HOST
//	engine.Get(t, "/images/foo:1.0/json", &img) // the engine API's answer
//
// They skip unless BREWKIT_E2E=1, and skip, saying why with the end of the
// daemon's log, when the daemon does not come up in 30s. (dockerd 20.10
// also creates the empty directory /run/docker/plugins, a fixed path.)
//
// Everything a helper starts is stopped in t.Cleanup: an extra buildkitd,
// containerd or dockerd by its own pid; the git daemon by closing its port
// and the connections still open, then reaping every process that served
// one; an sshd (StartSSHD, for ssh:// worker addresses) by its pid, then
// waiting for the sessions it served. The farm's own daemons are never
// touched.
package farmtest
