package localdaemon

import "syscall"

// sysProcAttr puts a started buildkitd in its own process group, so that
// a Ctrl-C on the terminal reaches brewkit alone (which then stops the
// daemon after cancelling its builds), and has the kernel send it SIGTERM
// should brewkit die without stopping it. (The kernel ties Pdeathsig to
// the thread that forked, not the process; the Go runtime ends a thread only
// when a goroutine locked to it exits, which Find's callers do not do.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
