package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is what --version prints: the module's version (a release such
// as v1.2.0, or "(devel)" for a build from a checkout) and the commit it
// was built from, "+dirty" when the checkout had changes, as the Go
// toolchain stamped them into the binary.
func version(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "unknown (no build information in the binary)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified, at string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			at = s.Value
		}
	}
	if rev == "" {
		rev = "unknown"
	}
	if modified == "true" {
		rev += "+dirty"
	}
	s := fmt.Sprintf("%s, commit %s", v, rev)
	if at != "" {
		s += " (" + at + ")"
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	return s + ", " + goVersion
}
