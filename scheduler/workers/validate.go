package workers

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/brewkit/brewkit/platforms"
)

// maxSocketPath is the longest path a unix socket address can have: the
// kernel's sun_path holds 108 bytes including the terminating NUL.
const maxSocketPath = 107

// Validate reports every problem in ws, joined with [errors.Join]: unknown or
// missing arches, duplicate or empty names, malformed addresses, TLS on
// anything but tcp://, half a client certificate, negative concurrency. Each error
// names the worker and says what would be right. Unknown arches wrap
// [platforms.ErrUnknownArch]. An empty ws is valid.
func Validate(ws []Worker) error {
	return validate(ws, func(i int) string { return workerLabel(ws, i) })
}

// validate is Validate with where(i) naming the i-th worker in errors.
func validate(ws []Worker, where func(i int) string) error {
	var errs []error
	first := make(map[string]int, len(ws))
	for i, w := range ws {
		for _, err := range check(w) {
			errs = append(errs, fmt.Errorf("%s: %w", where(i), err))
		}
		if w.Name == "" {
			continue
		}
		if j, dup := first[w.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: duplicate name, already used by %s; give each worker its own name",
				where(i), where(j)))
			continue
		}
		first[w.Name] = i
	}
	return errors.Join(errs...)
}

// workerLabel names ws[i] in errors: by its name, or by its position when it
// has none.
func workerLabel(ws []Worker, i int) string {
	if ws[i].Name == "" {
		return fmt.Sprintf("worker #%d", i+1)
	}
	return fmt.Sprintf("worker %q", ws[i].Name)
}

// check returns the problems of w on its own.
func check(w Worker) []error {
	var errs []error
	if err := checkName(w); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, checkArches(w.Arches)...)
	if err := checkAddress(w.Address, w.TLS != nil); err != nil {
		errs = append(errs, err)
	}
	if t := w.TLS; t != nil && (t.Cert == "") != (t.Key == "") {
		errs = append(errs, errors.New("tls: cert and key go together; give both or neither"))
	}
	if w.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency %d is negative; want 0 (the default, %d) or more",
			w.Concurrency, DefaultConcurrency))
	}
	return errs
}

func checkName(w Worker) error {
	if w.Name == "" {
		suggest := DefaultName(w.Arches)
		if suggest == "" {
			suggest = "amd64"
		}
		return fmt.Errorf("name is empty; give it a unique name, such as %q", suggest)
	}
	if i := strings.IndexFunc(w.Name, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }); i >= 0 {
		return fmt.Errorf("name %q contains white space or a control character; want a single word", w.Name)
	}
	return nil
}

func checkArches(arches []string) []error {
	if len(arches) == 0 {
		return []error{errors.New("no arches; list the architectures it builds natively, such as [amd64]")}
	}
	var errs []error
	for i, a := range arches {
		if _, err := platforms.OCI(a); err != nil {
			errs = append(errs, fmt.Errorf("arches: %w", err))
		} else if slices.Contains(arches[:i], a) {
			errs = append(errs, fmt.Errorf("arches: %q is listed twice", a))
		}
	}
	return errs
}

// helperSchemes are the schemes of BuildKit's connection helpers, which
// package builder registers, and the form of their addresses.
var helperSchemes = map[string]string{
	"ssh":               "ssh://[USER@]HOST[:PORT][/SOCKET]",
	"docker-container":  "docker-container://CONTAINER",
	"podman-container":  "podman-container://CONTAINER",
	"nerdctl-container": "nerdctl-container://CONTAINER",
	"kube-pod":          "kube-pod://POD[?namespace=NS&context=CTX&container=C]",
}

// checkAddress checks that addr is unix:///ABSOLUTE/PATH, tcp://HOST:PORT
// or the address of a connection helper, and that TLS comes only with tcp.
func checkAddress(addr string, withTLS bool) error {
	const want = "want unix:///ABSOLUTE/PATH, tcp://HOST:PORT, ssh://[USER@]HOST[:PORT], " +
		"docker-container://NAME, podman-container://NAME, nerdctl-container://NAME or kube-pod://NAME"
	scheme, rest, ok := strings.Cut(addr, "://")
	_, helper := helperSchemes[scheme]
	switch {
	case addr == "":
		return fmt.Errorf("address is empty; %s", want)
	case !ok:
		return fmt.Errorf("address %q has no scheme; %s", addr, want)
	case withTLS && scheme != "tcp" && (scheme == "unix" || helper):
		return fmt.Errorf("address %q: tls is only for tcp:// addresses; drop tls or use tcp://HOST:PORT", addr)
	case scheme == "unix":
		return checkSocketPath(addr, rest)
	case scheme == "tcp":
		return checkHostPort(addr, rest)
	case helper:
		return checkHelperAddress(addr, scheme)
	default:
		return fmt.Errorf("address %q: unsupported scheme %q; %s", addr, scheme, want)
	}
}

// checkHelperAddress checks the address of a connection helper as far as
// it can without the helper: a URL with a host (the machine, container or
// pod), no password, and a query only for kube-pod.
func checkHelperAddress(addr, scheme string) error {
	form := helperSchemes[scheme]
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("address %q: want %s: %w", addr, form, err)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("address %q: no host or name; want %s", addr, form)
	}
	if _, ok := u.User.Password(); ok {
		return fmt.Errorf("address %q: a password in the address is not supported; use an ssh key (ssh-agent or ~/.ssh/config)", addr)
	}
	if scheme != "ssh" && u.User != nil {
		return fmt.Errorf("address %q: a user is only for ssh://; want %s", addr, form)
	}
	if (u.RawQuery != "" && scheme != "kube-pod") || u.Fragment != "" {
		return fmt.Errorf("address %q: unexpected query or fragment; want %s", addr, form)
	}
	if strings.ContainsFunc(addr, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return fmt.Errorf("address %q: contains white space or a control character", addr)
	}
	return nil
}

func checkSocketPath(addr, p string) error {
	switch {
	case !path.IsAbs(p):
		return fmt.Errorf("address %q: socket path %q is not absolute; want unix:///ABSOLUTE/PATH (three slashes)", addr, p)
	case len(p) > maxSocketPath:
		return fmt.Errorf("address %q: socket path is %d bytes, longer than the kernel's limit of %d; use a shorter path",
			addr, len(p), maxSocketPath)
	case strings.ContainsFunc(p, func(r rune) bool { return r == 0 || !unicode.IsPrint(r) }):
		return fmt.Errorf("address %q: socket path contains a control character", addr)
	}
	return nil
}

func checkHostPort(addr, hostport string) error {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("address %q: want tcp://HOST:PORT: %w", addr, err)
	}
	if host == "" || strings.ContainsFunc(host, func(r rune) bool {
		return strings.ContainsRune("/?#@%", r) || unicode.IsSpace(r) || !unicode.IsPrint(r)
	}) {
		return fmt.Errorf("address %q: bad host %q; want tcp://HOST:PORT, such as tcp://127.0.0.1:1234", addr, host)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("address %q: bad port %q; want a number from 1 to 65535", addr, port)
	}
	return nil
}
