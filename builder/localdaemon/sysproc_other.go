//go:build !linux

package localdaemon

import "syscall"

// sysProcAttr puts a started buildkitd in its own process group, so that
// a Ctrl-C on the terminal reaches brewkit alone, which then stops the
// daemon after cancelling its builds.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
