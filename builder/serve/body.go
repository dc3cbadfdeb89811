package serve

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxBody is the most of a request body the API reads. Its POSTs take no
// body: one is read, up to MaxBody, and ignored; a larger one gets 413.
const MaxBody = 64 << 10

// bodyTimeout is how long a POST's body may take to arrive.
const bodyTimeout = 30 * time.Second

// discardBody reads r's body and drops it; a body over MaxBody, slower
// than bodyTimeout or broken gets an error answer, and false.
func discardBody(w http.ResponseWriter, r *http.Request) bool {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyTimeout)) // not every writer supports it: tests' recorders
	defer rc.SetReadDeadline(time.Time{})
	_, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("%s %s takes no body; one of more than %d bytes is refused", r.Method, r.URL.Path, MaxBody))
	case err != nil:
		writeError(w, http.StatusBadRequest, fmt.Errorf("%s %s: reading the body: %w", r.Method, r.URL.Path, err))
	}
	return err == nil
}
