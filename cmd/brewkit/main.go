// Command brewkit builds the Docker Official Images from their library
// files: it parses them, plans per-architecture builds, runs them on
// BuildKit workers and publishes multi-platform indexes.
//
// It is flags and output only: the pipeline is package builder/engine.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"
)

func main() {
	// logrus's standard logger belongs to the process, so main, not the
	// engine, sets it: containerd's content store warns through it
	// (fsverity support) with no context to carry another logger. Only
	// its errors are worth showing; brewkit's own log is --log-level's.
	logrus.SetLevel(logrus.ErrorLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(os.Getenv).ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "brewkit:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}
