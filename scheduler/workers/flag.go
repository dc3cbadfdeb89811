package workers

import (
	"fmt"
	"strings"
)

// ParseFlag parses a worker given on the command line as
// "ARCH[,ARCH...]=ADDRESS", such as "amd64,i386=unix:///run/buildkit/buildkitd.sock".
// The worker is named [DefaultName] of its arches and has Concurrency 0
// ([DefaultConcurrency]). The result is checked as [Validate] checks a single
// worker; errors quote s.
func ParseFlag(s string) (Worker, error) {
	list, addr, ok := strings.Cut(s, "=")
	if !ok {
		return Worker{}, fmt.Errorf("worker %q: want ARCH[,ARCH...]=ADDRESS, such as amd64=unix:///run/buildkit/buildkitd.sock", s)
	}
	if strings.TrimSpace(list) == "" {
		return Worker{}, fmt.Errorf("worker %q: no arch before '='; want ARCH[,ARCH...]=ADDRESS, such as amd64=%s", s, addr)
	}
	arches := strings.Split(list, ",")
	for i := range arches {
		arches[i] = strings.TrimSpace(arches[i])
	}
	w := Worker{Name: DefaultName(arches), Address: strings.TrimSpace(addr), Arches: arches}
	if err := validate([]Worker{w}, func(int) string { return fmt.Sprintf("worker %q", s) }); err != nil {
		return Worker{}, err
	}
	return w, nil
}
