package farmtest

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// RemoveState removes the state directory of a buildkitd that was
// killed: such a daemon never unmounts the overlays of the containers it
// ran, so they are detached first (deepest first), then dir is removed.
func RemoveState(t testing.TB, dir string) {
	t.Helper()
	dir = filepath.Clean(dir)
	for _, m := range mountsUnder(t, dir) {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", m, err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Errorf("removing the state of a killed buildkitd: %v", err)
	}
}

// mountsUnder lists the mount points under dir, deepest first.
func mountsUnder(t testing.TB, dir string) []string {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 1 && strings.HasPrefix(fields[1], dir+string(filepath.Separator)) {
			points = append(points, fields[1])
		}
	}
	slices.SortFunc(points, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	return points
}
