// Package workers describes the BuildKit workers a build runs on: where each
// one listens, which architectures it builds natively, and how many builds it
// takes at once. It only describes them; package builder talks to them.
//
// Load a workers file, add workers given on the command line, and check the
// whole set:
//
//	ws, err := workers.Load("workers.yaml")
//	if err != nil { ... } // names the file, the line and the worker
//	w, err := workers.ParseFlag("arm64v8=tcp://10.0.0.7:1234")
//	if err != nil { ... }
//	ws = append(ws, w)
//	if err := workers.Validate(ws); err != nil { ... } // every problem, joined
//
// # The workers file
//
// A workers file, such as the one `hack/farm up` writes, is YAML:
//
//	workers:
//	  - name: arm64v8                 # unique; default: the arches joined with "+"
//	    address: unix:///run/buildkit/arm64.sock
//	    arches: [arm64v8]             # bashbrew names, see package platforms
//	    concurrency: 2                # builds at once; 0 or absent: DefaultConcurrency
//	  - name: remote-s390x
//	    address: tcp://10.0.0.9:1234
//	    arches: [s390x]
//	    tls:                          # only with tcp://; file paths
//	      ca: /etc/brewkit/ca.pem     # absent: the system's roots
//	      cert: /etc/brewkit/cert.pem # cert and key go together
//	      key: /etc/brewkit/key.pem
//	      servername: buildkit.example # absent: the host of the address
//	registry: 127.0.0.1:5000          # optional; see LoadConfig
//
// Unknown keys are errors, so a misspelt "arch:" does not silently leave a
// worker without architectures.
//
// # Command-line workers
//
// ParseFlag reads "ARCH[,ARCH...]=ADDRESS", as in
// `--worker amd64,i386=unix:///run/buildkit/buildkitd.sock`. The worker is
// named after its arches ("amd64+i386") and gets DefaultConcurrency.
//
// # Addresses
//
// An address is "unix:///ABSOLUTE/PATH" (at most 107 bytes of path, the
// kernel's limit), "tcp://HOST:PORT", or the address of one of BuildKit's
// connection helpers, which package builder registers:
// "ssh://[USER@]HOST[:PORT][/SOCKET]" (runs `ssh ... buildctl [--addr
// unix://SOCKET] dial-stdio` on HOST, so buildctl must be on the PATH of the
// ssh session there), "docker-container://CONTAINER",
// "podman-container://CONTAINER", "nerdctl-container://CONTAINER" and
// "kube-pod://POD[?namespace=NS&context=CTX&container=C]". TLS is only for
// tcp.
package workers
