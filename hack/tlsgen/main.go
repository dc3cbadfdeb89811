// Command tlsgen makes throwaway TLS material for the lab farm's BuildKit
// workers (see builder/farmtest/tlsgen): a CA, a server certificate per worker
// (valid for 127.0.0.1 and localhost) and a client certificate.
//
//	go run ./hack/tlsgen -dir .farm/tls amd64 arm64v8 ppc64le s390x
//
// writes, in -dir, ca.pem and ca-key.pem, NAME.pem and NAME-key.pem for
// each NAME, and client.pem and client-key.pem. Files that exist, were
// signed by the CA there and stay valid for another day are kept, so that
// running daemons keep matching certificates. Never use them outside a
// test farm.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/brewkit/brewkit/builder/farmtest/tlsgen"
)

func main() {
	dir := flag.String("dir", "", "the directory to write the files in (required)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: tlsgen -dir DIR [SERVER-NAME...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *dir == "" {
		flag.Usage()
		os.Exit(2)
	}
	wrote, err := tlsgen.Dir(*dir, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsgen:", err)
		os.Exit(1)
	}
	for _, f := range wrote {
		fmt.Println(f)
	}
}
