// Package auth guards brewkit serve's HTTP API with bearer tokens.
//
// A token file names the clients that may change things, one a line, as
// NAME and the sha256 of the client's token; it holds no secret:
//
//	# who  sha256 of the token (brewkit serve token NAME prints the line)
//	ci     sha256:b919dd55a4f4d23e60db63fddcfb965056f6b34a0edfa2a4cb79849ecb4dc6e1
//	alice  sha256:0c6d42545f772dc58eb8ba9860d66233799abf6d33d2198e7059908d05e64b74
//
// [NewToken] makes a token and its line. A [Guard] wraps a handler:
//
//	tokens, err := auth.LoadTokens("/etc/brewkit/tokens") // or nil: no mutations at all
//	if err != nil { ... }
//	g := auth.Guard{Tokens: tokens, Logger: log}
//	http.Handle("/", g.Wrap(d.Handler()))
//
// # What the guard lets through
//
// Reads (GET, HEAD, OPTIONS) pass, unless the guard is Private. Any other
// method needs "Authorization: Bearer TOKEN" naming a token of the file:
// without one the answer is 401 with "WWW-Authenticate: Bearer", with a
// token not in the file 403. Without a token file, every mutating request
// is refused with 403: the API is read-only, never open. A Private guard
// asks for the token on reads too, except GET /healthz and the paths the
// guard is told are public (the web page's shell). Errors are JSON,
// {"error": "..."}, as the API's.
//
// Every mutating request is logged, allowed or not, with the token's
// name, the method, the path and the remote address; never with the
// token, the query or any header. A token is checked in constant time:
// its sha256 is compared with every entry of the file, each with
// [crypto/subtle], with no early exit.
package auth
