package workers

import "strings"

// DefaultConcurrency is how many builds a worker takes at once when its
// Concurrency is 0. BuildKit does not say how many cores a daemon has, so
// it is one number for every worker: two, so that one build's fixed cost
// (context, export, push: mostly waiting) overlaps another's steps. On the
// lab farm's 36-job graph two slots cut the makespan from 3.5x to 2.3x the
// critical path against one; more pay only for jobs that wait, not for
// compiles that fill the cores (docs/PERFORMANCE.md). Give a worker with
// many cores a larger concurrency in the workers file.
const DefaultConcurrency = 2

// Worker is one BuildKit daemon.
type Worker struct {
	// Name identifies the worker in logs and tables; unique in a set.
	Name string
	// Address is "unix:///ABSOLUTE/PATH" or "tcp://HOST:PORT".
	Address string
	// Arches are the bashbrew architectures (such as "arm64v8") the worker
	// builds natively; the scheduler sends it only jobs for these.
	Arches []string
	// Concurrency is how many builds the worker takes at once; 0 means
	// DefaultConcurrency. See Slots.
	Concurrency int
	// TLS, if set, secures a tcp:// address.
	TLS *TLS
}

// TLS holds the file paths of a worker's TLS material.
type TLS struct {
	// CA is the PEM file of the certificate authority that signed the
	// daemon's certificate; empty means the system's roots.
	CA string
	// Cert and Key are the PEM files of the client certificate and its key,
	// for daemons that authenticate clients; both or neither.
	Cert, Key string
	// ServerName is the name the daemon's certificate must carry; empty
	// means the host of the address.
	ServerName string
}

// Slots returns how many builds w takes at once: Concurrency, or
// DefaultConcurrency when that is 0.
func (w Worker) Slots() int {
	if w.Concurrency == 0 {
		return DefaultConcurrency
	}
	return w.Concurrency
}

// DefaultName is the name of a worker that was given none: its arches joined
// with "+", such as "amd64+i386".
func DefaultName(arches []string) string {
	return strings.Join(arches, "+")
}
