package workers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler/workers"
)

func TestValidate(t *testing.T) {
	ok := workers.Worker{Name: "amd64", Address: "unix:///run/bk.sock", Arches: []string{"amd64"}}
	with := func(f func(w *workers.Worker)) workers.Worker {
		w := ok
		w.Arches = append([]string(nil), ok.Arches...)
		f(&w)
		return w
	}
	tests := []struct {
		name string
		ws   []workers.Worker
		// want are substrings, one per expected problem, in order.
		want []string
	}{
		{name: "empty set", ws: nil},
		{name: "unix", ws: []workers.Worker{ok}},
		{name: "tcp with tls", ws: []workers.Worker{with(func(w *workers.Worker) {
			w.Address = "tcp://[::1]:1234"
			w.TLS = &workers.TLS{CA: "ca.pem", Cert: "c.pem", Key: "k.pem"}
			w.Concurrency = 4
		})}},
		{name: "connection helpers", ws: []workers.Worker{
			with(func(w *workers.Worker) { w.Name, w.Address = "ssh", "ssh://builder@10.0.0.7:2222" }),
			with(func(w *workers.Worker) {
				w.Name, w.Address = "ssh-socket", "ssh://10.0.0.7/run/buildkit/buildkitd.sock"
			}),
			with(func(w *workers.Worker) { w.Name, w.Address = "docker", "docker-container://buildx_buildkit_default" }),
			with(func(w *workers.Worker) { w.Name, w.Address = "podman", "podman-container://buildkitd" }),
			with(func(w *workers.Worker) { w.Name, w.Address = "nerdctl", "nerdctl-container://buildkitd" }),
			with(func(w *workers.Worker) { w.Name, w.Address = "kube", "kube-pod://buildkitd-0?namespace=ci" }),
		}},
		{name: "several arches", ws: []workers.Worker{with(func(w *workers.Worker) { w.Arches = []string{"amd64", "i386"} })}},
		{
			name: "unknown arch lists known ones",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Arches = []string{"arm64"} })},
			want: []string{`worker "amd64": arches: unknown architecture "arm64" (known: amd64, arm32v5`},
		},
		{
			name: "duplicate arch",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Arches = []string{"amd64", "amd64"} })},
			want: []string{`"amd64" is listed twice`},
		},
		{
			name: "no arches",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Arches = nil })},
			want: []string{`worker "amd64": no arches; list the architectures it builds natively`},
		},
		{
			name: "duplicate name",
			ws:   []workers.Worker{ok, with(func(w *workers.Worker) { w.Address = "tcp://h:1" }), ok},
			want: []string{
				`worker "amd64": duplicate name, already used by worker "amd64"`,
				`worker "amd64": duplicate name`,
			},
		},
		{
			name: "empty name suggests one",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Name = ""; w.Arches = []string{"s390x"} })},
			want: []string{`worker #1: name is empty; give it a unique name, such as "s390x"`},
		},
		{
			name: "name with space",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Name = "a b" })},
			want: []string{`contains white space`},
		},
		{
			name: "relative socket",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "unix://run/bk.sock" })},
			want: []string{`socket path "run/bk.sock" is not absolute; want unix:///ABSOLUTE/PATH`},
		},
		{
			name: "long socket",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "unix:///" + strings.Repeat("x", 107) })},
			want: []string{`longer than the kernel's limit of 107`},
		},
		{
			name: "no scheme",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "/run/bk.sock" })},
			want: []string{`address "/run/bk.sock" has no scheme; want unix:///ABSOLUTE/PATH, tcp://HOST:PORT, ssh://`},
		},
		{
			name: "empty address",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "" })},
			want: []string{`address is empty`},
		},
		{
			name: "other scheme",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "http://bk:1234" })},
			want: []string{`unsupported scheme "http"`},
		},
		{
			name: "ssh without host",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "ssh://" })},
			want: []string{`address "ssh://": no host or name; want ssh://[USER@]HOST[:PORT][/SOCKET]`},
		},
		{
			name: "ssh with password",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "ssh://me:secret@host" })},
			want: []string{`a password in the address is not supported`},
		},
		{
			name: "docker-container with user",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "docker-container://me@bk" })},
			want: []string{`a user is only for ssh://`},
		},
		{
			name: "ssh with query",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "ssh://host?x=1" })},
			want: []string{`unexpected query or fragment`},
		},
		{
			name: "tls on ssh",
			ws: []workers.Worker{with(func(w *workers.Worker) {
				w.Address = "ssh://host"
				w.TLS = &workers.TLS{CA: "ca.pem"}
			})},
			want: []string{`tls is only for tcp:// addresses`},
		},
		{
			name: "tcp without port",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "tcp://host" })},
			want: []string{`address "tcp://host": want tcp://HOST:PORT`},
		},
		{
			name: "tcp port zero",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "tcp://host:0" })},
			want: []string{`bad port "0"; want a number from 1 to 65535`},
		},
		{
			name: "tcp with path",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "tcp://host:1/x" })},
			want: []string{`bad port "1/x"`},
		},
		{
			name: "tcp empty host",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Address = "tcp://:1234" })},
			want: []string{`bad host ""`},
		},
		{
			name: "tls on unix",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.TLS = &workers.TLS{CA: "ca.pem"} })},
			want: []string{`tls is only for tcp:// addresses`},
		},
		{
			name: "cert without key",
			ws: []workers.Worker{with(func(w *workers.Worker) {
				w.Address = "tcp://h:1"
				w.TLS = &workers.TLS{Cert: "c.pem"}
			})},
			want: []string{`tls: cert and key go together`},
		},
		{
			name: "negative concurrency",
			ws:   []workers.Worker{with(func(w *workers.Worker) { w.Concurrency = -1 })},
			want: []string{`concurrency -1 is negative; want 0 (the default, 2) or more`},
		},
		{
			name: "every problem at once",
			ws: []workers.Worker{
				with(func(w *workers.Worker) { w.Arches = []string{"x"}; w.Concurrency = -2 }),
				with(func(w *workers.Worker) { w.Name = "b"; w.Address = "http://h" }),
			},
			want: []string{`unknown architecture "x"`, `concurrency -2`, `worker "b": address "http://h"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrors(t, workers.Validate(tt.ws), tt.want)
		})
	}
}

func TestValidateUnknownArchIs(t *testing.T) {
	err := workers.Validate([]workers.Worker{{Name: "a", Address: "tcp://h:1", Arches: []string{"arm64"}}})
	if !errors.Is(err, platforms.ErrUnknownArch) {
		t.Fatalf("Validate() = %v, want an error wrapping platforms.ErrUnknownArch", err)
	}
}

func TestSlots(t *testing.T) {
	for c, want := range map[int]int{0: 2, 1: 1, 5: 5} {
		if got := (workers.Worker{Concurrency: c}).Slots(); got != want {
			t.Errorf("Worker{Concurrency: %d}.Slots() = %d, want %d", c, got, want)
		}
	}
}

// checkErrors checks that err joins exactly one error per item of want, each
// containing that item.
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("error = nil, want %q", want)
	}
	got := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		got = j.Unwrap()
	}
	if len(got) != len(want) {
		t.Fatalf("error has %d parts, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(got[i].Error(), w) {
			t.Errorf("error part %d = %q, want it to contain %q", i, got[i], w)
		}
	}
}
