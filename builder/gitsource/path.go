package gitsource

import (
	"fmt"
	"path"
	"strings"
)

// SafeJoin joins a library entry's Directory and File into one
// slash-separated path relative to the repository root, and rejects paths
// that leave the repository: absolute paths, or ".." past the root after
// cleaning. An empty dir or file means ".", so SafeJoin(dir, ".") checks a
// directory alone. A File may climb out of its Directory as long as it stays
// in the repository ("../Dockerfile" from "1.21/alpine" is fine).
//
//	SafeJoin("1.21/alpine", "Dockerfile") // "1.21/alpine/Dockerfile", nil
//	SafeJoin("../x", "Dockerfile")        // error: Directory "../x" escapes the repository
func SafeJoin(dir, file string) (string, error) {
	d, err := cleanRel("Directory", dir)
	if err != nil {
		return "", err
	}
	switch {
	case strings.ContainsRune(file, 0):
		return "", fmt.Errorf("File %q contains a NUL byte", file)
	case path.IsAbs(file):
		return "", fmt.Errorf("File %q escapes the repository", file)
	}
	joined := path.Join(d, file)
	if escapes(joined) {
		if d == "." {
			return "", fmt.Errorf("File %q escapes the repository", file)
		}
		return "", fmt.Errorf("File %q escapes the repository from Directory %q", file, dir)
	}
	return joined, nil
}

// cleanRel cleans p and rejects it if it is absolute, climbs above the
// root, or holds a NUL byte. kind names p in the error.
func cleanRel(kind, p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%s %q contains a NUL byte", kind, p)
	}
	c := path.Clean(p)
	if path.IsAbs(c) || escapes(c) {
		return "", fmt.Errorf("%s %q escapes the repository", kind, p)
	}
	return c, nil
}

// escapes reports whether the clean relative path c climbs above its root.
func escapes(c string) bool { return c == ".." || strings.HasPrefix(c, "../") }
