// Package localdaemon finds the BuildKit daemon that `brewkit build` uses
// when it is given no workers: the one $BUILDKIT_HOST names, else the one
// on the default socket, else a buildkitd it starts itself.
//
// Find it, build on it, and stop it when done (Stop does nothing to a
// daemon Find did not start):
//
//	d, err := localdaemon.Find(ctx, localdaemon.WithEnv(os.Getenv))
//	if errors.Is(err, localdaemon.ErrNoDaemon) {
//		// tell the user to install buildkitd or set BUILDKIT_HOST
//	}
//	if err != nil { ... }
//	defer d.Stop()
//	log.Printf("using buildkitd at %s", d) // "unix:///… (started by brewkit, pid 4242)"
//	r := &scheduler.Runner{Workers: []workers.Worker{d.Worker}, AllowEmulation: true, ...}
//
// # Which daemon
//
//  1. $BUILDKIT_HOST, as buildctl reads it (unix:// or tcp://). It must
//     answer: Find does not fall back to another daemon when the one the
//     user named is down.
//  2. The default socket, unix:///run/buildkit/buildkitd.sock, when it
//     answers.
//  3. A buildkitd binary, from [WithBuildkitd] or the PATH of the
//     environment, started with its own root, socket and OpenTelemetry
//     socket (so it never collides with other daemons on the machine), for
//     the host's platform: it builds the host's architecture natively and
//     the others under QEMU emulation, as binfmt_misc allows.
//
// The environment is what [WithEnv] supplies; the package never reads the
// process's own.
//
// # The started daemon
//
// It runs in a fresh directory under the state directory ([WithStateDir])
// holding its socket, config and log. Its root, BuildKit's cache, is
// [WithRoot] when given and not in use by another buildkitd, else a
// directory beside the socket that Stop removes. Stop sends it SIGTERM,
// waits, and kills it if it lingers; it touches only the process Find
// started, by its pid.
package localdaemon
