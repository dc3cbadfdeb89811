// Package load puts images a build made into a local image store, fed
// BuildKit's docker exporter's tarball as it is written: a Docker
// engine's, through its API on a unix socket (plain net/http, no docker
// CLI), or, when no engine answers, containerd's, through its Go client.
//
//	l, err := load.Find(ctx, os.Getenv)
//	if errors.Is(err, load.ErrNoEngine) { ... } // err names every place tried
//	fmt.Println("loading into", l) // "the Docker engine at unix:///var/run/docker.sock"
//	w, err := l.Load(ctx) // the exporter writes the tarball to w
//	...
//	err = w.Close()       // waits for the store's answer
//
// An image already in hand (one staged by an earlier run, read back with
// go-containerregistry) goes to the same writer as a tarball of the same
// format, the image unchanged, its blobs streamed:
//
//	err = load.WriteImage(ctx, w, img, []string{"docker.io/library/foo:1.0"})
//
// # Where
//
// [Find] asks, in order, and takes the first that answers:
//
//   - the Docker engine on $DOCKER_HOST (a unix:// address) or
//     [DefaultDockerSocket], through GET /_ping;
//   - containerd on $CONTAINERD_ADDRESS or [DefaultContainerdSocket], in
//     the namespace $CONTAINERD_NAMESPACE or "default" (as ctr and nerdctl
//     choose), through its version service.
//
// # Names and platforms
//
// The tarball names each image by its full references
// ("docker.io/library/foo:1.0"); both stores keep those names (the engine
// shows them as "foo:1.0"). The image is the one the build staged, byte
// for byte, so containerd has it under the staged digest.
//
// A build for another architecture than the host's is loaded as it is.
// The Docker engine keeps any platform it is given. containerd's import
// keeps only the host's platform unless told otherwise, and an arm64
// image on an amd64 host then fails to import at all ("image might be
// filtered out"), so [Containerd] imports all platforms
// (client.WithAllPlatforms): the tarball holds only the one image built,
// so "all" is exactly that. The images are stored, not unpacked into a
// snapshotter; what runs them unpacks them on first use.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNoEngine is returned by [Find] when no image store answers; the
// error wrapping it names each place tried and its answer.
var ErrNoEngine = errors.New("no Docker engine or containerd answers to load images into")

// Loader loads docker-archive (or OCI layout) tarballs into one image
// store: a [*Docker] engine or [*Containerd].
type Loader interface {
	// Load starts a load and returns the writer its tarball goes to.
	// Close ends the tarball and waits for the store: its error is the
	// store's refusal, if any. Cancelling ctx abandons the load.
	Load(ctx context.Context) (io.WriteCloser, error)
	// String names the store and where it was found.
	String() string
}

var (
	_ Loader = (*Docker)(nil)
	_ Loader = (*Containerd)(nil)
)

// Find returns a Loader for the first image store that answers, as the
// package doc says; getenv supplies the environment (nil means none is
// set). When none answers, its error wraps [ErrNoEngine] and each
// store's own error, naming where it was tried.
func Find(ctx context.Context, getenv func(string) string) (Loader, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	d, dErr := FindDocker(ctx, getenv)
	if dErr == nil {
		return d, nil
	}
	c, cErr := FindContainerd(ctx, getenv)
	if cErr == nil {
		return c, nil
	}
	return nil, fmt.Errorf("%w: %w; %w", ErrNoEngine, dErr, cErr)
}

// pipeWriter is the writer a load returns: what is written goes to the
// store through a pipe, and Close waits for the store's answer.
type pipeWriter struct {
	pw   *io.PipeWriter
	done chan error
	what string // "docker image load"
}

// startPipe runs load on the reading end of a pipe, in a goroutine, and
// returns the writing end. When load returns, the reader is closed with
// its error, so that a writer stops at once if the store gave up; when
// ctx is done, the reader fails, so that a load blocked reading stops
// too.
func startPipe(ctx context.Context, what string, load func(r io.Reader) error) *pipeWriter {
	pr, pw := io.Pipe()
	w := &pipeWriter{pw: pw, done: make(chan error, 1), what: what}
	go func() {
		stop := context.AfterFunc(ctx, func() { pr.CloseWithError(context.Cause(ctx)) })
		defer stop()
		err := load(pr)
		if err == nil {
			_, err = io.Copy(io.Discard, pr) // what follows the archive's end (tar padding)
		}
		pr.CloseWithError(err)
		w.done <- err
	}()
	return w
}

func (w *pipeWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *pipeWriter) Close() error {
	w.pw.Close()
	if err := <-w.done; err != nil {
		return fmt.Errorf("%s: %w", w.what, err)
	}
	return nil
}
