package timeline

import (
	"regexp"
	"strings"
)

// Phases of a job.
const (
	PhaseWait   = "waiting for a slot"
	PhaseSource = "source"
	PhaseStep   = "step"
	PhaseExport = "export"
	PhasePush   = "push"
	PhaseOther  = "other"
)

// Phases is every phase, in the order a job goes through them.
var Phases = []string{PhaseWait, PhaseSource, PhaseStep, PhaseExport, PhasePush, PhaseOther}

// step is the name of a Dockerfile step as BuildKit's dockerfile frontend
// names its vertex: "[2/3] RUN ...", "[build 1/4] FROM ...", and with
// brewkit's relabelling a prefix before it.
var step = regexp.MustCompile(`\[(?:[^\]]+ )?\d+/\d+\] `)

// phaseOf is the phase of a BuildKit vertex, by its name.
func phaseOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case step.MatchString(name):
		return PhaseStep
	case strings.Contains(n, "load build context"), strings.Contains(n, "load git source"),
		strings.Contains(n, "load build definition"), strings.Contains(n, "load .dockerignore"),
		strings.Contains(n, "load metadata for"), strings.Contains(n, "context ") && strings.Contains(n, "load"):
		return PhaseSource
	case strings.HasPrefix(n, "exporting"), strings.Contains(n, "] exporting"):
		return PhaseExport
	}
	return PhaseOther
}

// statusPhase is the phase of a vertex's status (a sub-task such as
// "pushing layers"), or "" when it is the vertex's own.
func statusPhase(id string) string {
	if strings.HasPrefix(strings.ToLower(id), "pushing") {
		return PhasePush
	}
	return ""
}
