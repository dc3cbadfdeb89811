package serve

import (
	"net/http"
	"time"
)

// NewHTTPServer is an [http.Server] for h, the API, ready to face a
// network: a client gets 10 seconds to send its request's headers, of
// at most 64 KiB (a longer path or header gets 431), and an idle
// keep-alive connection is closed after 2 minutes.
//
// It has no ReadTimeout nor WriteTimeout: a job's log streams as long as
// the job runs (GET .../log?follow=1), and either deadline would cut the
// stream, ReadTimeout by cancelling the request's context. A POST's body
// has a deadline of its own (see [MaxBody]).
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
