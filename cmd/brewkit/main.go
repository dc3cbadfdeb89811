// Command brewkit builds the Docker Official Images from their library
// files: it parses them, plans per-architecture builds, runs them on
// BuildKit workers and publishes multi-platform indexes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"
)

func main() {
	// containerd's content store logs warnings (fsverity support) through
	// logrus's global logger; brewkit reports what matters itself.
	logrus.SetLevel(logrus.ErrorLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(os.Getenv).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "brewkit:", err)
		os.Exit(1)
	}
}
