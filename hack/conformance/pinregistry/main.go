// Command pinregistry serves an in-process registry holding the images of
// a pins file (see builder/registrytest), for the real bashbrew to reach
// as DOCKERHUB_PUBLIC_PROXY when hack/conformance/naughty-fixtures.sh
// records what naughty-from.sh says of pinned external images:
//
//	go build -o /tmp/pinregistry ./hack/conformance/pinregistry
//	/tmp/pinregistry -images cmd/brewkit/testdata/naughty/external-pins.txt \
//		-pins OI/.external-pins -url-file /tmp/proxy-url &
//
// It listens on -addr (default a free loopback port), pushes every image,
// writes each digest to its pin file under -pins, then writes the
// registry's URL ("http://127.0.0.1:PORT") to -url-file, and serves until
// it is sent SIGINT or SIGTERM. Nothing is stored on disk but the pins.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/brewkit/brewkit/builder/registrytest"
)

func main() {
	images := flag.String("images", "", "the pins file: NAME:TAG ARCH... a line (required)")
	pins := flag.String("pins", "", "the .external-pins directory to write the digests in (required)")
	addr := flag.String("addr", "127.0.0.1:0", "the address to listen on")
	urlFile := flag.String("url-file", "", "the file to write the registry's URL in once it holds the images (required)")
	flag.Parse()
	if *images == "" || *pins == "" || *urlFile == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *images, *pins, *addr, *urlFile); err != nil {
		fmt.Fprintln(os.Stderr, "pinregistry:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, images, pins, addr, urlFile string) error {
	list, err := registrytest.ReadPinned(images)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: registrytest.NewHandler()}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	host := l.Addr().String()
	if err := registrytest.PushPinned(ctx, host, list, pins); err != nil {
		srv.Close()
		return err
	}
	tmp := filepath.Join(filepath.Dir(urlFile), "."+filepath.Base(urlFile)+".tmp")
	if err := os.WriteFile(tmp, []byte("http://"+host+"\n"), 0o644); err != nil {
		srv.Close()
		return err
	}
	if err := os.Rename(tmp, urlFile); err != nil {
		srv.Close()
		return err
	}
	select {
	case <-ctx.Done():
		return srv.Close()
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
